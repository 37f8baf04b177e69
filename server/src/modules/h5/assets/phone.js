/* The phone verification widget (modules/h5/phone-widget.ts renders its markup): request an SMS code with a
   60 s countdown, verify it; the server answers an HttpOnly cookie that proves the phone for 30 minutes, so
   this script never holds more than what the visitor typed. */
(function (H5, w) {
  'use strict';
  var $ = H5.$;
  var WORDS = {
    phone_code_invalid: '验证码不正确，请重新输入。',
    phone_code_expired: '验证码已过期，请重新获取。',
    phone_code_attempts_exceeded: '错误次数过多，请重新获取验证码。',
    phone_code_too_soon: '验证码已发送，请稍后再试。',
    validation_failed: '请输入正确的手机号。'
  };
  function say(text, bad) {
    var m = $('verify-msg');
    m.textContent = text || '';
    m.className = bad ? 'err' : 'muted';
  }
  function why(status, body) {
    return (body && WORDS[body.code]) || H5.problem(status, body).text;
  }
  function phoneOf() {
    var v = $('phone').value.replace(/[\s-]/g, '');
    return /^1\d{10}$/.test(v) ? v : null;
  }

  /* opts: {purpose: 'campaign' | 'my_entitlements', onVerified(phoneMasked)} */
  H5.phone = function (opts) {
    var send = $('send-code'), verify = $('verify-btn'), timer = null;
    function countdown(seconds) {
      var left = seconds;
      send.disabled = true;
      clearInterval(timer);
      function tick() {
        if (left <= 0) { clearInterval(timer); send.disabled = false; send.textContent = '重新获取'; return; }
        send.textContent = left + '秒后重发';
        left--;
      }
      tick();
      timer = setInterval(tick, 1000);
    }
    send.onclick = function () {
      var phone = phoneOf();
      if (!phone) return say('请输入11位手机号。', true);
      send.disabled = true;
      H5.request('POST', '/v1/public/phone-codes', function (status, body, x) {
        if (status === 202) {
          say('验证码已发送至 ' + phone.slice(0, 3) + '****' + phone.slice(7) + '，5分钟内有效。');
          $('sms-code').focus();
          return countdown((body && body.retry_after_seconds) || 60);
        }
        send.disabled = false;
        say(why(status, body), true);
        var after = status === 429 && x && parseInt(x.getResponseHeader('retry-after'), 10);
        if (after > 0 && after <= 3600) countdown(after);
      }, 10000, { phone: phone, purpose: opts.purpose });
    };
    verify.onclick = function () {
      var phone = phoneOf(), code = $('sms-code').value.replace(/\s/g, '');
      if (!phone) return say('请输入11位手机号。', true);
      if (!/^\d{4,8}$/.test(code)) return say('请输入短信验证码。', true);
      verify.disabled = true;
      H5.request('POST', '/v1/public/phone-codes/verify', function (status, body) {
        verify.disabled = false;
        if (status !== 200 || !body) return say(why(status, body), true);
        clearInterval(timer);
        say('');
        $('sms-code').value = '';
        H5.show('verify', false);
        opts.onVerified(body.phone_masked);
      }, 10000, { phone: phone, code: code, purpose: opts.purpose });
    };
    var done = $('verify').getAttribute('data-verified');
    if (done) opts.onVerified(done);
  };
  /* the visitor's proof ended (401 phone_not_verified): ask again */
  H5.phoneAgain = function (text) {
    H5.show('verify', true);
    $('verify').setAttribute('data-verified', '');
    say(text || '请重新验证手机号。', true);
    w.scrollTo(0, 0);
  };
})(window.H5, window);
