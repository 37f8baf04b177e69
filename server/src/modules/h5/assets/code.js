/* The redemption-code page /x and /x/<code> (docs/h5.md, docs/redemption-codes.md). The check character is
   checked here, before any request, with the server's rule (modules/redemption/redemption.code.ts: a weighted
   sum modulo 31, weights 2, 3, … 30, 1, 2 … from the right, the check character weighing 1), so a typo is
   told at once and costs no guess. The alphabet and lengths come from the page (data-rules). ES5. */
(function (H5, w) {
  'use strict';
  var $ = H5.$;
  var form = $('form');
  var rules = JSON.parse(form.getAttribute('data-rules'));
  var CHARSET = rules.charset, N = CHARSET.length;
  var input = $('code'), error = $('code-error'), btn = $('claim');
  var MESSAGES = {
    redemption_code_typo: '兑换码有误，请检查',
    redemption_code_not_found: '兑换码不存在，请核对后重新输入。',
    redemption_code_exhausted: '该兑换码已被兑换完。',
    redemption_limit_reached: '您已达到本活动的兑换次数上限。',
    redemption_code_expired: '兑换码已过期，活动已结束。',
    redemption_code_not_started: '活动尚未开始，请在活动开始后兑换。',
    redemption_code_paused: '活动已暂停，请稍后再试。',
    redemption_code_voided: '兑换码已失效。',
    out_of_stock: '权益已发放完毕，请稍后再试或联系客服。',
  };

  function normalise(raw) { return String(raw || '').replace(/[\s-]+/g, '').toUpperCase(); }

  function checkCharacter(body) {
    var sum = 0;
    for (var i = body.length - 1, p = 1; i >= 0; i--, p++) sum += ((p % 30) + 1) * CHARSET.indexOf(body.charAt(i));
    return CHARSET.charAt((N - (sum % N)) % N);
  }

  /* the normalised code, or null when it cannot be one (length, a character outside the alphabet, check) */
  function check(code) {
    if (code.length < rules.min || code.length > rules.max) return null;
    for (var i = 0; i < code.length; i++) if (CHARSET.indexOf(code.charAt(i)) < 0) return null;
    return checkCharacter(code.slice(0, -1)) === code.charAt(code.length - 1) ? code : null;
  }

  function say(text) { error.textContent = text || ''; error.hidden = !text; }

  function claim(code) {
    btn.disabled = true;
    btn.textContent = '兑换中…';
    H5.request('POST', '/v1/public/redemption/claim', function (status, body) {
      if ((status === 201 || status === 202) && body && body.redeem_url) {
        btn.textContent = '兑换成功，正在打开…';
        return w.location.assign(body.redeem_url);
      }
      btn.disabled = false;
      btn.textContent = '立即兑换';
      var code = body && body.code;
      if (status === 429) return say('操作太频繁，请稍后再试。');
      if (code && MESSAGES[code]) return say(MESSAGES[code]);
      say(H5.problem(status, body).text);
    }, 15000, { code: code });
  }

  form.onsubmit = function (e) {
    if (e && e.preventDefault) e.preventDefault();
    var code = normalise(input.value);
    if (!code) { say('请输入兑换码'); return false; }
    if (!check(code)) { say(MESSAGES.redemption_code_typo); return false; } // no request: a typo is not a guess
    say('');
    claim(code);
    return false;
  };
  input.oninput = function () { say(''); };

  // /x/<code>: prefilled (a QR code on a card); the visitor still taps to claim
  var m = /^\/x\/([^/?#]+)/.exec(w.location.pathname);
  if (m) {
    try { input.value = decodeURIComponent(m[1]); } catch (e) { input.value = ''; }
    if (input.value && !check(normalise(input.value))) say(MESSAGES.redemption_code_typo);
  }
})(window.H5, window);
