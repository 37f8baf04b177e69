/* The redeem page /r/:token (docs/h5.md). The token stays in the URL: the server never writes it (nor any
   code) into the HTML; this script reads it from the path and calls /v1/redeem/:token. */
(function (H5, w) {
  'use strict';
  var $ = H5.$;
  var token = w.location.pathname.split('/').pop();
  var api = '/v1/redeem/' + encodeURIComponent(token);
  var SUFFIX = '领取权益';
  var units = { day: '天', week: '周', month: '个月', quarter: '季度', year: '年' };
  // what to do with the code on each platform, shown BEFORE the tap
  var platforms = {
    iqiyi: { name: '爱奇艺', steps: ['打开爱奇艺 App，进入「我的」', '点击「激活码兑换」（或「VIP会员」→「兑换」）', '粘贴卡密，确认兑换'] },
    tencent_video: { name: '腾讯视频', steps: ['打开腾讯视频 App，进入「个人中心」', '点击「兑换VIP」', '输入卡密，确认兑换'] },
    youku: { name: '优酷', steps: ['打开优酷 App，进入「我的」', '点击「兑换码」', '输入卡密，确认兑换'] },
    mango_tv: { name: '芒果TV', steps: ['打开芒果TV App，进入「我的」', '点击「兑换中心」', '输入卡密，确认兑换'] },
    bilibili: { name: '哔哩哔哩', steps: ['打开哔哩哔哩 App，进入「我的」→「大会员」', '点击「兑换」', '输入兑换码，确认兑换'] }
  };
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

  function periodText(p) {
    var n = p.period ? p.period.count + (units[p.period.unit] || p.period.unit) : '';
    if (p.renewal) return '连续包月首期（到期自动续费，可随时取消）：兑换后开通首期' + n + '会员，到期后平台按其价格自动续费，可在平台 App 内随时取消自动续费。';
    return '单次有效期，不自动续费：兑换后获得' + (n || '一期') + '会员，到期自动结束。';
  }

  function instructions(platform) {
    var info = platforms[platform];
    var box = $('howto');
    box.innerHTML = '';
    box.appendChild(H5.el('h2', '', info ? '如何在' + info.name + '使用' : '如何使用'));
    var ol = H5.el('ol');
    var steps = info ? info.steps : ['复制下方的卡密或兑换码', '在对应平台的兑换入口粘贴并确认'];
    for (var i = 0; i < steps.length; i++) ol.appendChild(H5.el('li', '', steps[i]));
    box.appendChild(ol);
    box.hidden = false;
  }

  function secretRow(label, value) {
    var wrap = H5.el('div');
    wrap.appendChild(H5.el('div', 'muted', label));
    var v = H5.el('div', 'secret', value);
    var b = H5.el('button', 'copy', '复制' + label);
    b.type = 'button';
    b.onclick = function () { H5.copy(value, b, v); };
    wrap.appendChild(v);
    wrap.appendChild(b);
    return wrap;
  }

  function showSecret(secret) {
    var box = $('result');
    box.innerHTML = '';
    if (secret.card_number) box.appendChild(secretRow('卡号', secret.card_number));
    if (secret.password) box.appendChild(secretRow('密码', secret.password));
    if (secret.code) box.appendChild(secretRow('兑换码', secret.code));
    if (secret.url) box.appendChild(secretRow('兑换链接', secret.url));
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

  /* direct recharge: the status, polled with backoff until final */
  function recharge(v) {
    var box = $('recharge');
    box.hidden = false;
    $('account').textContent = v.account_hint ? '充值账号：' + v.account_hint : '';
    if (!v.account_hint && H5.hooks.accountEntry) {
      // HOOK(account-entry): a grant issued without an account; the account-entry page script registers
      // H5.hooks.accountEntry(container, view, api, onDone) and the server side belongs to its module.
      H5.hooks.accountEntry($('account'), v, api, function () { w.location.reload(); });
    }
    function paint(s) {
      $('recharge-state').textContent = s === 'redeemed' ? '充值成功' : s === 'pending' ? '充值处理中，请稍候…' : s;
    }
    paint(v.status);
    if (v.status !== 'pending') return;
    H5.poll(function (next) {
      H5.request('GET', api, function (status, body) {
        if (status === 200 && body) { paint(body.status); if (body.status === 'pending') next(); return; }
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
    $('meta').textContent = meta.join(' · ');
    $('period').textContent = periodText(p);
    $('period').hidden = false;
    if (p.kind === 'direct_recharge') return recharge(v);
    instructions(p.platform);
    var btn = $('reveal');
    btn.onclick = reveal;
    btn.hidden = false;
    if (v.status === 'redeemed') {
      btn.textContent = '再次查看卡密';
      $('status').appendChild(H5.el('span', 'badge', '已领取'));
    } else {
      $('warning').hidden = false;
    }
  });
})(window.H5, window);
