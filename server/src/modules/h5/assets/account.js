/* Account entry of a direct recharge issued without an account (docs/h5.md, docs/direct-recharge.md): the
   redeem page calls H5.hooks.accountEntry when recharge.status is awaiting_account; the choice pack page uses
   H5.accountField when a picked option is a direct recharge. The server checks the account again: this only
   spares the recipient a round trip for the obvious mistakes. ES5, like every H5 script. */
(function (H5) {
  'use strict';
  var LABELS = { mobile: '手机号', uid: '平台 UID', qq: 'QQ 号', email: '邮箱' };
  var PATTERNS = { mobile: /^1\d{10}$/, qq: /^[1-9]\d{4,10}$/, email: /^[^\s@]+@[^\s@]+\.[^\s@]+$/, uid: /^[A-Za-z0-9_.:-]{1,64}$/ };

  function labelOf(types) {
    var out = [];
    for (var i = 0; i < types.length; i++) out.push(LABELS[types[i]] || types[i]);
    return out.join(' / ') || '账号';
  }

  /* a mobile number as people type it (+86, spaces, dashes); other kinds as typed, trimmed */
  function clean(raw, types) {
    var v = String(raw || '').replace(/^\s+|\s+$/g, '');
    var digits = v.replace(/[\s-]/g, '').replace(/^\+?86(?=1\d{10}$)/, '');
    return types.indexOf('mobile') >= 0 && /^1\d{10}$/.test(digits) ? digits : v;
  }

  function valid(v, types) {
    for (var i = 0; i < types.length; i++) if ((PATTERNS[types[i]] || /\S/).test(v)) return true;
    return false;
  }

  /* what the confirm step shows: 138****0000 for a mobile number, the ends of anything else */
  function mask(v) {
    if (/^1\d{10}$/.test(v)) return v.slice(0, 3) + '****' + v.slice(7);
    return v.length <= 4 ? v : v.slice(0, 2) + '****' + v.slice(-2);
  }

  /* An account input with its label and error line: {node, input, error(text), value()} (value: null if bad). */
  H5.accountField = function (types) {
    types = types && types.length ? types : ['mobile', 'uid'];
    var node = H5.el('div', 'field');
    var label = H5.el('label', 'muted', '充值账号（' + labelOf(types) + '）');
    var input = H5.el('input');
    input.id = 'account-input';
    input.type = types.length === 1 && types[0] === 'mobile' ? 'tel' : 'text';
    input.autocomplete = 'off';
    input.placeholder = '请输入' + labelOf(types);
    label.htmlFor = input.id;
    var err = H5.el('p', 'err');
    err.id = 'account-error';
    err.hidden = true;
    node.appendChild(label);
    node.appendChild(input);
    node.appendChild(err);
    function error(text) { err.textContent = text || ''; err.hidden = !text; }
    input.oninput = function () { error(''); };
    return {
      node: node, input: input, error: error, mask: mask,
      value: function () {
        var v = clean(input.value, types);
        if (!v) { error('请输入' + labelOf(types)); return null; }
        if (!valid(v, types)) { error('账号格式不正确，请输入' + labelOf(types)); return null; }
        return v;
      },
    };
  };

  /* The field error a 400 on `account` answered (validation_failed: not a kind the product takes), in the
     recipient's words (the server's message is for developers). */
  H5.accountError = function (types) {
    return '账号格式不正确，请输入' + labelOf(types && types.length ? types : ['mobile', 'uid']);
  };

  function button(text, cls) {
    var b = H5.el('button', cls || 'btn', text);
    b.type = 'button';
    return b;
  }

  /* input → confirm (充值到 138****0000？) → POST …/recharge → onDone(state): the page then watches it */
  H5.hooks.accountEntry = function (container, view, api, onDone) {
    var types = (view.recharge && view.recharge.account_types) || [];
    var box = H5.el('div');
    box.id = 'account-entry';
    container.innerHTML = '';
    container.appendChild(box);
    var field = H5.accountField(types);
    var next = button('下一步');
    next.id = 'account-next';
    var confirm = H5.el('div', 'note warn');
    confirm.id = 'account-confirm';
    confirm.hidden = true;
    var question = H5.el('p');
    var ok = button('确认充值');
    ok.id = 'account-submit';
    var back = button('返回修改', 'copy');
    confirm.appendChild(question);
    confirm.appendChild(ok);
    confirm.appendChild(back);
    box.appendChild(field.node);
    box.appendChild(next);
    box.appendChild(confirm);
    var account = null;

    function editing(on) {
      field.input.disabled = !on;
      next.hidden = !on;
      confirm.hidden = on;
    }
    next.onclick = function () {
      account = field.value();
      if (!account) return;
      question.textContent = '充值到 ' + mask(account) + '？充值后无法更改。';
      editing(false);
    };
    back.onclick = function () { editing(true); };
    ok.onclick = function () {
      ok.disabled = true;
      H5.request('POST', api + '/recharge', function (status, body) {
        ok.disabled = false;
        if (status === 202 && body) { container.innerHTML = ''; return onDone(body); }
        editing(true);
        if (status === 400) return field.error(H5.accountError(types));
        if (status === 409 && body && body.code === 'recharge_already_started') return onDone(null); // another tab: reload the state
        field.error(H5.problem(status, body).text);
      }, 15000, { account: account });
    };
  };
})(window.H5);
