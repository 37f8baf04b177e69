/* Bundles and choice packs on the redeem page (docs/h5.md, docs/bundles.md): redeem.js hands a pack's view to
   H5.hooks.pack. A choice pack not picked yet lists its options (pick exactly k; one that ran out while the
   recipient chose is marked 已抢光 and they pick another); a bundle or a picked pack lists its components, each
   with its own state; the reveal shows every card code with copy buttons; direct recharges are polled. ES5. */
(function (H5) {
  'use strict';
  var $ = H5.$;
  var UNITS = { day: '天', week: '周', month: '个月', quarter: '季度', year: '年' };
  var PLATFORMS = { iqiyi: '爱奇艺', tencent_video: '腾讯视频', youku: '优酷', mango_tv: '芒果TV', bilibili: '哔哩哔哩' };
  var STATES = { issued: '待领取', redeemed: '已领取', pending: '充值中', failed: '充值失败', expired: '已过期', voided: '已取消' };

  function metaOf(p) {
    var m = [PLATFORMS[p.platform] || p.platform];
    if (p.period) m.push(p.period.count + (UNITS[p.period.unit] || p.period.unit));
    m.push(p.kind === 'direct_recharge' ? '直充到账号' : p.renewal ? '连续包月首期' : '单次有效期');
    return m.join(' · ');
  }
  function stateOf(c) {
    return c.product.kind === 'direct_recharge' && c.status === 'redeemed' ? '充值成功' : STATES[c.status] || c.status;
  }
  function button(id, cls, text) {
    var b = H5.el('button', cls, text);
    b.type = 'button';
    if (id) b.id = id;
    return b;
  }

  H5.hooks.pack = function (view, api, fail) {
    var box = $('pack');
    box.hidden = false;
    H5.show('howto', false);

    function reload() {
      H5.request('GET', api, function (status, v) {
        if (status !== 200 || !v) return fail(H5.problem(status, v));
        H5.hooks.pack(v, api, fail);
      });
    }

    /* the choice: exactly k of the options, then POST …/pick (all reserved, or none) */
    function choose(v) {
      var k = v.pick_count || 1;
      var options = v.options || [];
      var chosen = []; // product ids, in the order tapped
      var gone = {}; // ran out (the view said so, or a pick was refused with choice_unavailable)
      box.innerHTML = '';
      box.appendChild(H5.el('h2', null, '请选择 ' + k + ' 项权益'));
      var counter = H5.el('p', 'muted');
      counter.id = 'pick-count';
      box.appendChild(counter);
      var list = H5.el('div');
      list.id = 'options';
      box.appendChild(list);
      box.appendChild(H5.el('p', 'note warn', '确认选择后不可更改，请谨慎选择。'));
      var field = H5.accountField ? H5.accountField([]) : null;
      if (field) { field.node.hidden = true; box.appendChild(field.node); }
      var error = H5.el('p', 'err');
      error.id = 'pick-error';
      box.appendChild(error);
      var submit = button('pick', 'btn', '确认选择');
      box.appendChild(submit);

      function optionOf(id) {
        for (var i = 0; i < options.length; i++) if (options[i].product.id === id) return options[i];
        return null;
      }
      function needsAccount() {
        for (var i = 0; i < chosen.length; i++) if (optionOf(chosen[i]).product.kind === 'direct_recharge') return true;
        return false;
      }
      function paint() {
        list.innerHTML = '';
        for (var i = 0; i < options.length; i++) list.appendChild(card(options[i]));
        counter.textContent = '已选 ' + chosen.length + '/' + k;
        submit.disabled = chosen.length !== k;
        if (field) field.node.hidden = !needsAccount();
      }
      function card(o) {
        var id = o.product.id;
        var out = !o.available || gone[id];
        var on = chosen.indexOf(id) >= 0;
        var b = button('opt-' + id, 'opt' + (on ? ' on' : ''));
        b.appendChild(H5.el('b', null, o.product.name));
        b.appendChild(H5.el('div', 'muted', metaOf(o.product)));
        b.appendChild(H5.el('span', 'badge', out ? '已抢光' : on ? '已选' : '可选'));
        b.disabled = out;
        b.onclick = function () {
          error.textContent = '';
          if (on) chosen.splice(chosen.indexOf(id), 1);
          else if (chosen.length < k) chosen.push(id);
          else error.textContent = '最多选择 ' + k + ' 项，请先取消一项。';
          paint();
        };
        return b;
      }
      function refresh(message) {
        H5.request('GET', api, function (status, nv) {
          if (status === 200 && nv && nv.picked) return H5.hooks.pack(nv, api, fail);
          if (status === 200 && nv && nv.options) options = nv.options;
          paint();
          error.textContent = message;
        });
      }
      submit.onclick = function () {
        var body = { products: chosen.slice() };
        if (field && needsAccount()) {
          var account = field.value();
          if (!account) return;
          body.account = account;
        }
        submit.disabled = true;
        H5.request('POST', api + '/pick', function (status, r) {
          submit.disabled = false;
          if (status === 200) return reload(); // the view has each component's platform and period
          var code = r && r.code;
          if (status === 409 && code === 'choice_unavailable') {
            var names = [], un = r.unavailable || [];
            for (var i = 0; i < un.length; i++) {
              gone[un[i].id] = true;
              names.push('「' + un[i].name + '」');
              if (chosen.indexOf(un[i].id) >= 0) chosen.splice(chosen.indexOf(un[i].id), 1);
            }
            return refresh(names.join('、') + '已抢光，请改选其他权益。');
          }
          if (status === 409 && code === 'choice_already_picked') return reload();
          if (status === 400 && r && r.errors && r.errors[0] && r.errors[0].field === 'account' && field) return field.error(H5.accountError([]));
          if (status === 400) { error.textContent = '请选择 ' + k + ' 项不同的权益。'; return refresh(error.textContent); }
          error.textContent = H5.problem(status, r).text;
        }, 15000, body);
      };
      paint();
    }

    /* a bundle or a picked pack: every component with its state; the reveal shows the codes */
    function components(v) {
      var list = v.components || [];
      var rows = {};
      var cards = 0, pending = 0;
      box.innerHTML = '';
      box.appendChild(H5.el('h2', null, v.product.kind === 'bundle' ? '礼包内容（' + list.length + ' 项）' : '已选权益'));
      for (var i = 0; i < list.length; i++) {
        var c = list[i];
        var row = H5.el('div', 'item');
        row.id = 'c-' + c.grant_id;
        row.appendChild(H5.el('b', null, c.product.name));
        row.appendChild(H5.el('div', 'muted', metaOf(c.product)));
        var state = H5.el('span', 'badge state', stateOf(c));
        row.appendChild(state);
        if (c.product.kind === 'direct_recharge') {
          pending += c.status === 'pending' ? 1 : 0;
          if (c.account) row.appendChild(H5.el('div', 'muted', '充值账号：' + c.account));
        } else cards++;
        var secrets = H5.el('div', 'secrets');
        row.appendChild(secrets);
        rows[c.grant_id] = { state: state, secrets: secrets };
        box.appendChild(row);
      }
      var btn = $('reveal');
      var taken = v.status === 'redeemed';
      btn.hidden = cards === 0;
      btn.textContent = taken ? '再次查看卡密' : '立即领取';
      H5.show('warning', cards > 0 && !taken);
      btn.onclick = function () {
        btn.disabled = true;
        H5.request('POST', api + '/reveal', function (status, body) {
          btn.disabled = false;
          if (status !== 200 || !body || !body.components) return fail(H5.problem(status, body));
          for (var j = 0; j < body.components.length; j++) {
            var rc = body.components[j], r = rows[rc.grant_id];
            if (!r) continue;
            r.state.textContent = stateOf(rc);
            r.secrets.innerHTML = '';
            H5.secrets(r.secrets, rc);
          }
          H5.show('warning', false);
          btn.hidden = true;
        });
      };
      if (pending) watch(rows);
    }

    /* direct-recharge components: their states, polled with backoff until none is pending */
    function watch(rows) {
      H5.poll(function (next) {
        H5.request('GET', api, function (status, nv) {
          if (status === 429 || status === 0 || status >= 500) return next(true);
          if (status !== 200 || !nv) return fail(H5.problem(status, nv));
          var still = false, list = nv.components || [];
          for (var i = 0; i < list.length; i++) {
            if (rows[list[i].grant_id]) rows[list[i].grant_id].state.textContent = stateOf(list[i]);
            if (list[i].status === 'pending') still = true;
          }
          if (still) next();
        });
      }, { first: 3000, max: 20000 });
    }

    if (view.product.kind === 'choice_pack' && !view.picked) choose(view);
    else components(view);
  };
})(window.H5);
