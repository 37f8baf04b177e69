/* 我的权益 /me (flows/my-entitlements/me-page.ts renders the first screen): verify the phone (phone.js), then
   list the phone's entitlements with status badges and reminders, and its in-app messages. */
(function (H5, w) {
  'use strict';
  var $ = H5.$;
  var BADGE = { issued: '待领取', redeemed: '已领取', pending: '充值中', expired: '已过期', voided: '已取消', failed: '发放失败' };
  var DAY = 86400000;
  var before = null;

  function fail(status, body) {
    var s = $('status');
    s.innerHTML = '';
    var c = H5.el('section', 'card');
    c.appendChild(H5.el('p', 'err', H5.problem(status, body).text));
    var help = H5.helpLine();
    if (help) c.appendChild(help);
    s.appendChild(c);
  }

  function days(iso) { return Math.max(0, Math.ceil((new Date(iso).getTime() - new Date().getTime()) / DAY)); }

  function grantCard(g) {
    var c = H5.el('div', 'card' + (g.reminder ? ' hot' : ''));
    c.setAttribute('data-grant', g.id);
    c.appendChild(H5.el('h2', null, g.product.name));
    var b = H5.el('span', 'badge status', BADGE[g.status] || g.status);
    c.appendChild(b);
    var lines = [];
    if (g.status === 'issued' && g.expires_at) lines.push('领取截止 ' + H5.date(g.expires_at));
    if (g.redeemed_at) lines.push('领取时间 ' + H5.date(g.redeemed_at));
    if (g.period_ends_at) lines.push('会员到期 ' + H5.date(g.period_ends_at));
    if (lines.length) c.appendChild(H5.el('div', 'muted', lines.join(' · ')));
    if (g.reminder === 'expiring') c.appendChild(H5.el('div', 'note warn', '即将过期：还剩 ' + days(g.expires_at) + ' 天，请尽快领取。'));
    if (g.reminder === 'period_ending') {
      var n = H5.el('div', 'note warn', '会员将在 ' + days(g.period_ends_at) + ' 天后到期，' + (g.product.renewal ? '连续包月将按平台价格自动续费，可在平台 App 内管理。' : '如需继续使用请及时续费。'));
      if (g.renewal_url) { var r = H5.el('a', null, ' 去续费'); r.href = g.renewal_url; r.rel = 'noopener noreferrer'; n.appendChild(r); }
      c.appendChild(n);
    }
    if (g.status === 'issued' || g.status === 'redeemed' || g.status === 'pending') {
      var a = H5.el('a', 'copy', g.status === 'issued' ? '查看' : '再次查看');
      a.href = g.redeem_url;
      c.appendChild(a);
    }
    return c;
  }

  function messages(list) {
    var box = $('message-list');
    box.innerHTML = '';
    var unread = [];
    for (var i = 0; i < list.length; i++) {
      var m = list[i], row = H5.el('div', 'note' + (m.read ? '' : ' unread'));
      row.setAttribute('data-message', m.id);
      var t = H5.el('div');
      if (!m.read) { t.appendChild(H5.el('span', 'dot')); unread.push(m.id); }
      t.appendChild(d(m.title));
      row.appendChild(t);
      row.appendChild(H5.el('div', null, m.body));
      row.appendChild(H5.el('div', 'muted', H5.date(m.created_at)));
      box.appendChild(row);
    }
    H5.show('messages', list.length > 0);
    // shown once = read; the marks stay on screen until the next visit
    if (unread.length) H5.request('POST', '/v1/public/me/messages/read', function () {}, 10000, { ids: unread });
  }
  function d(text) { return document.createTextNode(text); }

  function load() {
    var more = $('more');
    more.disabled = true;
    H5.request('GET', '/v1/public/me' + (before ? '?before=' + encodeURIComponent(before) : ''), function (status, body) {
      more.disabled = false;
      if (status === 401) return H5.phoneAgain('验证已过期，请重新验证手机号。');
      if (status !== 200 || !body) return fail(status, body);
      $('status').innerHTML = '';
      $('who').textContent = '手机号 ' + body.phone_masked;
      var list = $('grants');
      if (!before) {
        list.innerHTML = '';
        messages(body.messages);
        if (!body.grants.length) list.appendChild(H5.el('div', 'card muted', '该手机号暂无权益。'));
      }
      for (var i = 0; i < body.grants.length; i++) list.appendChild(grantCard(body.grants[i]));
      list.hidden = false;
      before = body.next_before;
      more.hidden = !before;
      H5.show('logout', true);
    });
  }

  $('more').onclick = load;
  $('logout').onclick = function () {
    H5.request('POST', '/v1/public/me/logout', function () {
      before = null;
      H5.show('grants', false);
      H5.show('messages', false);
      H5.show('more', false);
      H5.show('logout', false);
      $('who').textContent = '验证手机号后查看发放给您的全部权益';
      H5.phoneAgain('已退出。');
    }, 10000, {});
  };
  H5.phone({ purpose: 'my_entitlements', onVerified: function () { before = null; load(); } });
})(window.H5, window);
