/* The redeem page /r/:token (docs/h5.md). The token stays in the URL: the server never writes it (nor any
   code) into the HTML; this script reads it from the path and calls /v1/redeem/:token. */
(function (H5, w) {
  'use strict';
  var $ = H5.$;
  var token = w.location.pathname.split('/').pop();
  var api = '/v1/redeem/' + encodeURIComponent(token);
  var SUFFIX = '领取权益';
  var units = { day: '天', week: '周', month: '个月', quarter: '季度', year: '年' };
  // the server rendered what it is, the period, the instructions and the warning (redeem-page.ts); this
  // script checks the state with the API, reveals, copies and polls
  var loaded = false;

  function fail(p) {
    if (!loaded) H5.heading(p.title, SUFFIX); // afterwards the heading keeps the product name
    var s = $('status');
    s.innerHTML = '';
    s.appendChild(H5.el('p', 'err', p.text));
    var help = H5.helpLine();
    if (help) s.appendChild(help);
    H5.show('reveal', false);
    H5.show('warning', false);
  }

  function showSecret(secret) {
    var box = $('result');
    box.innerHTML = '';
    H5.secrets(box, secret);
    box.appendChild(H5.el('p', 'muted', secret.code_expires_at ? '请在 ' + H5.date(secret.code_expires_at) + ' 前完成兑换，逾期卡密失效。' : '请尽快到平台完成兑换。'));
    box.hidden = false;
    H5.show('warning', false);
    var btn = $('reveal');
    btn.textContent = '再次查看卡密';
    btn.hidden = true;
  }

  function reveal() {
    var btn = $('reveal');
    btn.disabled = true;
    H5.request('POST', api + '/reveal', function (status, body) {
      btn.disabled = false;
      if (status !== 200 || !body) return fail(H5.problem(status, body));
      showSecret(body);
    });
  }

  /* direct recharge: the account (asked for when the grant waits for it), then the state, polled with
     backoff until final */
  var STATES = { awaiting_account: '请填写要充值的账号', pending: '充值处理中，请稍候…', redeemed: '充值成功', failed: '充值失败' };
  function rechargeOf(v) {
    return v.recharge || { status: v.status, account_masked: v.account_hint, account_types: [], failure: null };
  }
  function paint(r) {
    var text = STATES[r.status] || r.status;
    if (r.status === 'failed' && r.failure && r.failure.message) text += '：' + r.failure.message;
    $('recharge-state').textContent = text;
    if (r.account_masked) $('account').textContent = '充值账号：' + r.account_masked;
  }
  function recharge(v) {
    $('recharge').hidden = false;
    H5.show('reveal', false);
    H5.show('warning', false);
    H5.show('howto', false);
    var r = rechargeOf(v);
    $('account').textContent = '';
    paint(r);
    if (r.status === 'awaiting_account' && H5.hooks.accountEntry) {
      // account.js: input, confirm, POST …/recharge; then watch the recharge it started (or, when another
      // tab started one first, whatever the API says now)
      return H5.hooks.accountEntry($('account'), v, api, function (state) {
        if (state) { paint(state); return watch(); }
        H5.request('GET', api, function (status, body) { if (status === 200 && body) recharge(body); else fail(H5.problem(status, body)); });
      });
    }
    if (r.status === 'pending') watch();
  }
  function watch() {
    H5.poll(function (next) {
      H5.request('GET', api, function (status, body) {
        if (status === 200 && body) { var r = rechargeOf(body); paint(r); if (r.status === 'pending') next(); return; }
        if (status === 429 || status === 0 || status >= 500) return next(true); // slow down, keep watching
        fail(H5.problem(status, body));
      });
    }, { first: 3000, max: 20000 });
  }

  H5.request('GET', api, function (status, v) {
    if (status !== 200 || !v) return fail(H5.problem(status, v));
    var p = v.product;
    H5.heading(p.name, SUFFIX);
    loaded = true;
    var meta = [];
    if (p.period) meta.push(p.period.count + (units[p.period.unit] || p.period.unit));
    meta.push(p.renewal ? '连续包月首期' : '单次有效期');
    if (v.expires_at) meta.push('领取截止 ' + H5.date(v.expires_at));
    if (!$('meta').textContent) $('meta').textContent = meta.join(' · '); // the server's, in China time, wins
    if (p.kind === 'direct_recharge') return recharge(v);
    if ((p.kind === 'bundle' || p.kind === 'choice_pack') && H5.hooks.pack) return H5.hooks.pack(v, api, fail); // pack.js
    var btn = $('reveal');
    btn.onclick = reveal;
    btn.hidden = false;
    if (v.status === 'redeemed') {
      btn.textContent = '再次查看卡密';
      if (!$('status').firstChild) $('status').appendChild(H5.el('span', 'badge', '已领取'));
    }
    $('warning').hidden = v.status === 'redeemed';
  });
})(window.H5, window);
