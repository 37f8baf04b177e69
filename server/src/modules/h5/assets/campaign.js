/* The campaign page /c/:slug (flows/campaign-claim/campaign-page.ts renders the first screen): verify the
   phone (phone.js), claim, then go to the grant's redeem page. */
(function (H5, w) {
  'use strict';
  var $ = H5.$;
  var slug = w.location.pathname.split('/').pop();
  var api = '/v1/public/campaigns/' + encodeURIComponent(slug);
  var SUFFIX = '活动领取';
  var WORDS = {
    campaign_not_started: '活动尚未开始，请在活动开始后再来领取。',
    campaign_paused: '活动暂停中，请稍后再来看看。',
    campaign_sold_out: '本活动的权益已全部领完，感谢关注。',
    campaign_ended: '活动已结束，感谢关注。',
    out_of_stock: '权益库存暂时不足，请稍后再试。',
    campaign_not_found: '活动不存在或已下线，请确认链接完整。',
    risk_limit_exceeded: '领取过于频繁，请稍后再试。',
    risk_blacklisted: '当前无法领取，如有疑问请联系客服。',
    risk_threshold_not_met: '当前无法领取，如有疑问请联系客服。'
  };

  function result(text, cls, link, linkText) {
    var r = $('result');
    r.innerHTML = '';
    r.appendChild(H5.el('p', cls, text));
    if (link) {
      var a = H5.el('a', 'btn', linkText);
      a.href = link;
      a.id = 'go';
      r.appendChild(a);
    }
    var help = cls === 'err' ? H5.helpLine() : null;
    if (help) r.appendChild(help);
    r.hidden = false;
  }
  function closed(code) {
    H5.show('verify', false);
    H5.show('claim-box', false);
    H5.show('claim', false);
    var s = $('state');
    s.innerHTML = '';
    s.appendChild(H5.el('p', 'err', WORDS[code]));
  }

  function claim() {
    var btn = $('claim');
    btn.disabled = true;
    btn.textContent = '领取中…';
    H5.request('POST', api + '/claim', function (status, body) {
      btn.disabled = false;
      btn.textContent = '立即领取';
      if (status === 201 && body && body.redeem_url) {
        btn.hidden = true;
        result('领取成功，正在打开您的权益…', 'muted', body.redeem_url, '查看权益');
        w.location.href = body.redeem_url;
        return;
      }
      var code = body && body.code;
      if (code === 'campaign_limit_reached') {
        btn.hidden = true;
        H5.show('claim-box', false);
        return result('您已领取过本活动的权益。', 'muted', body.redeem_url || null, '查看我的权益');
      }
      if (code === 'phone_not_verified') {
        H5.show('claim-box', false);
        btn.hidden = true;
        return H5.phoneAgain('验证已过期，请重新验证手机号。');
      }
      if (code === 'campaign_not_started' || code === 'campaign_paused' || code === 'campaign_sold_out' || code === 'campaign_ended') return closed(code);
      result(WORDS[code] || H5.problem(status, body).text, 'err');
    }, 15000, { device_id: H5.device() });
  }

  function ready(masked) {
    $('verified').textContent = '已验证手机号 ' + masked;
    H5.show('claim-box', true);
    var btn = $('claim');
    btn.onclick = claim;
    btn.hidden = false;
  }

  var state = $('state').getAttribute('data-state');
  if (state === 'open') return H5.phone({ purpose: 'campaign', onVerified: ready });
  if (state) return; // the server said why it is closed
  // the server could not look it up (unknown, throttled, down): ask the API what to say
  H5.request('GET', api, function (status, body) {
    // 200 here means the page's own lookup failed a moment ago (throttled, database away): no reload loop
    var p = status === 200 && body ? { title: body.name, text: '页面加载不完整，请稍后刷新重试。' } : H5.problem(status, body);
    if (status === 404) p = { title: '活动不存在', text: WORDS.campaign_not_found };
    H5.heading(p.title, SUFFIX);
    $('state').appendChild(H5.el('p', 'err', p.text));
  });
})(window.H5, window);
