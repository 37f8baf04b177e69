/* The H5 shell's shared script (docs/h5.md). ES5 and XMLHttpRequest on purpose: WeChat's and other in-app
   webviews on old phones lack fetch/Promise/arrow functions. Page scripts use window.H5 only. */
(function (w, d) {
  'use strict';
  var H5 = (w.H5 = {});
  H5.$ = function (id) { return d.getElementById(id); };
  H5.el = function (tag, cls, text) {
    var e = d.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };
  H5.show = function (id, on) { var e = H5.$(id); if (e) e.hidden = on === false; return e; };

  /* The device id risk control counts claims by (docs/risk.md): 128 random bits, base64url, kept a year in
     the first-party cookie qy_dev. Never trusted alone: IP and phone limits apply too. */
  H5.device = function () {
    var m = /(?:^|; )qy_dev=([A-Za-z0-9_-]{16,128})/.exec(d.cookie);
    if (m) return m[1];
    var a = [], c = w.crypto || w.msCrypto, i, id = '', abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    if (c && c.getRandomValues) { a = new Uint8Array(22); c.getRandomValues(a); } else for (i = 0; i < 22; i++) a.push(Math.floor(Math.random() * 256));
    for (i = 0; i < 22; i++) id += abc.charAt(a[i] & 63); // 22 × 6 bits = 132 bits
    d.cookie = 'qy_dev=' + id + '; path=/; max-age=31536000; samesite=lax' + (w.location.protocol === 'https:' ? '; secure' : '');
    return id;
  };

  /* A JSON request with a timeout: cb(status, body); status 0 when the network failed or timed out.
     `body`, when given, is sent as JSON. Every request carries the device id header. */
  H5.request = function (method, url, cb, timeoutMs, body) {
    var x = new XMLHttpRequest();
    x.open(method, url, true);
    x.timeout = timeoutMs || 10000;
    x.setRequestHeader('Accept', 'application/json');
    x.setRequestHeader('X-Quanyi-Device', H5.device());
    if (body !== undefined) x.setRequestHeader('Content-Type', 'application/json');
    var done = false;
    function finish(status) {
      if (done) return;
      done = true;
      var body = null;
      try { body = x.responseText ? JSON.parse(x.responseText) : null; } catch (e) { body = null; }
      cb(status, body, x);
    }
    x.onload = function () { finish(x.status); };
    x.onerror = x.ontimeout = x.onabort = function () { finish(0); };
    x.send(body !== undefined ? JSON.stringify(body) : null);
  };

  /* What went wrong, in words a recipient understands: {title, text}. */
  H5.problem = function (status, body) {
    var code = body && body.code;
    if (status === 0) return { title: '网络异常', text: (navigator.onLine === false ? '手机未联网，' : '') + '网络异常，请检查网络后刷新重试。' };
    if (status === 429) return { title: '请稍后再试', text: '操作太频繁，请稍后再试。' };
    if (code === 'grant_expired') return { title: '权益已过期', text: '该权益已过期，无法再领取。' };
    if (code === 'grant_voided') return { title: '权益已取消', text: '该权益已被发放方取消。' };
    if (code === 'grant_failed') return { title: '权益发放失败', text: '该权益未能发放成功，请联系发放方。' };
    if (status === 404) return { title: '链接无效', text: '链接无效，请确认链接完整。' };
    if (status === 503) return { title: '服务繁忙', text: '服务暂时不可用，请稍后刷新重试。' };
    return { title: '出错了', text: '出错了，请稍后再试。' };
  };

  /* The heading and the tab title together (a shared link's preview shows the title). */
  H5.heading = function (text, suffix) {
    H5.$('name').textContent = text;
    d.title = text + (suffix ? ' · ' + suffix : '');
  };

  /* A line pointing at the customer-service contact in the footer, when the brand has one. */
  H5.helpLine = function () {
    return H5.$('contact') ? H5.el('p', 'muted', '如需帮助，请联系页面底部的客服。') : null;
  };

  /* Copies text: the Clipboard API where allowed, else execCommand on a hidden field, else select it and
     ask for a long press (old WeChat). */
  H5.copy = function (text, button, node) {
    function selectNode() {
      try {
        var r = d.createRange(); r.selectNodeContents(node);
        var s = w.getSelection(); s.removeAllRanges(); s.addRange(r);
      } catch (e) { /* nothing to select with */ }
      button.textContent = '请长按复制';
    }
    function legacy() {
      var t = d.createElement('textarea');
      t.value = text; t.setAttribute('readonly', ''); t.style.position = 'fixed'; t.style.opacity = '0';
      d.body.appendChild(t); t.select();
      var ok = false;
      try { ok = d.execCommand('copy'); } catch (e) { ok = false; }
      d.body.removeChild(t);
      if (ok) button.textContent = '已复制'; else selectNode();
    }
    if (navigator.clipboard && w.isSecureContext !== false) {
      navigator.clipboard.writeText(text).then(function () { button.textContent = '已复制'; }, legacy);
    } else legacy();
  };

  /* A secret (card number, password, code, link) with its copy button: a block for a result card. */
  H5.secret = function (label, value) {
    var wrap = H5.el('div');
    wrap.appendChild(H5.el('div', 'muted', label));
    var v = H5.el('div', 'secret', value);
    var b = H5.el('button', 'copy', '复制' + label);
    b.type = 'button';
    b.onclick = function () { H5.copy(value, b, v); };
    wrap.appendChild(v);
    wrap.appendChild(b);
    return wrap;
  };

  /* Appends the secrets a reveal answered (card_number + password, code or url) to `box`. */
  H5.secrets = function (box, s) {
    if (s.card_number) box.appendChild(H5.secret('卡号', s.card_number));
    if (s.password) box.appendChild(H5.secret('密码', s.password));
    if (s.code) box.appendChild(H5.secret('兑换码', s.code));
    if (s.url) box.appendChild(H5.secret('兑换链接', s.url));
  };

  /* Calls step(next) after growing delays (first, ×1.5 up to max) for as long as step calls next (at most
     `tries` times); next(true) jumps to the longest delay (throttled, offline, server busy). */
  H5.poll = function (step, opts) {
    var delay = (opts && opts.first) || 2000, max = (opts && opts.max) || 20000, tries = 0, limit = (opts && opts.tries) || 60;
    function next(slower) {
      if (++tries > limit) return;
      if (slower) delay = max;
      setTimeout(function () { step(next); }, delay);
      delay = Math.min(max, Math.round(delay * 1.5));
    }
    next();
  };

  H5.date = function (iso) {
    var t = new Date(iso);
    if (isNaN(t.getTime())) return '';
    var p = function (n) { return (n < 10 ? '0' : '') + n; };
    return t.getFullYear() + '-' + p(t.getMonth() + 1) + '-' + p(t.getDate()) + ' ' + p(t.getHours()) + ':' + p(t.getMinutes());
  };

  /* Extension points that other page scripts fill in (docs/h5.md). */
  H5.hooks = H5.hooks || {};
})(window, document);
