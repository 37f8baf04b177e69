// The minimal mobile redeem page (the full H5 comes later): what it is, one tap to reveal, a copy button.
// Static HTML: the token stays in the URL path and is read by the script, never echoed by the server.
const PAGE = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1,viewport-fit=cover">
<meta name="robots" content="noindex">
<title>领取权益</title>
<style>
*{box-sizing:border-box}body{margin:0;font:16px/1.5 -apple-system,BlinkMacSystemFont,"PingFang SC","Microsoft YaHei",sans-serif;background:#f4f5f7;color:#1f2329}
main{max-width:480px;margin:0 auto;padding:24px 16px}
.card{background:#fff;border-radius:14px;padding:20px;box-shadow:0 1px 3px rgba(0,0,0,.06);margin-bottom:16px}
h1{font-size:20px;margin:0 0 4px}.muted{color:#646a73;font-size:14px}
.badge{display:inline-block;font-size:12px;padding:2px 8px;border-radius:10px;background:#e8f3ff;color:#1664ff;margin-top:8px}
button{width:100%;border:0;border-radius:10px;padding:14px;font-size:17px;background:#1664ff;color:#fff;margin-top:16px}
button:disabled{background:#a9c3f7}
.secret{font:600 18px ui-monospace,Menlo,monospace;word-break:break-all;background:#f4f5f7;border-radius:8px;padding:10px 12px;margin:8px 0}
.copy{background:#fff;color:#1664ff;border:1px solid #1664ff;padding:8px;font-size:15px;margin-top:4px}
.err{color:#d83931}
</style></head>
<body><main>
<div class="card" id="info"><h1 id="name">加载中…</h1><div class="muted" id="meta"></div><div id="status"></div>
<button id="reveal" hidden>立即领取</button></div>
<div class="card" id="result" hidden></div>
<div class="card muted" id="howto" hidden></div>
</main>
<script>
(function(){
var token = location.pathname.split('/').pop();
var api = '/v1/redeem/' + encodeURIComponent(token);
var $ = function(id){ return document.getElementById(id); };
var units = {day:'天',week:'周',month:'个月',quarter:'季度',year:'年'};
var howto = {
  iqiyi:'打开爱奇艺 App →「我的」→「激活码兑换」，粘贴卡密完成兑换。',
  tencent_video:'打开腾讯视频 App →「个人中心」→「兑换VIP」，输入卡密。',
  youku:'打开优酷 App →「我的」→「兑换码」，输入卡密。',
  mango_tv:'打开芒果TV App →「我的」→「兑换中心」，输入卡密。',
  bilibili:'打开哔哩哔哩 App →「我的」→「大会员」→「兑换」，输入兑换码。'
};
var loaded = false;
// every state has a heading and a tab title of its own (a shared link's preview shows the title)
function heading(text){ $('name').textContent = text; document.title = text + ' · 领取权益'; }
function fail(e){
  if (!loaded) heading(e.title); // before the grant is shown; afterwards the heading keeps the product name
  $('status').innerHTML = ''; var p = document.createElement('p'); p.className = 'err'; p.textContent = e.text; $('status').appendChild(p); $('reveal').hidden = true;
}
function problem(res, body){
  if (res.status === 429) return {title:'请稍后再试', text:'操作太频繁，请稍后再试。'};
  if (body && body.code === 'grant_expired') return {title:'权益已过期', text:'该权益已过期。'};
  if (body && body.code === 'grant_voided') return {title:'权益已取消', text:'该权益已被发放方取消。'};
  if (body && body.code === 'grant_failed') return {title:'权益发放失败', text:'该权益未能发放成功，请联系发放方。'};
  if (res.status === 404) return {title:'链接无效', text:'链接无效，请确认链接完整。'};
  if (res.status === 503) return {title:'服务繁忙', text:'服务暂时不可用，请稍后刷新重试。'};
  return {title:'出错了', text:(body && body.detail) || '出错了，请稍后再试。'};
}
var offline = function(text){ return {title:'网络异常', text:text}; };
function row(label, value){
  var wrap = document.createElement('div');
  var l = document.createElement('div'); l.className = 'muted'; l.textContent = label;
  var v = document.createElement('div'); v.className = 'secret'; v.textContent = value;
  var b = document.createElement('button'); b.className = 'copy'; b.textContent = '复制';
  b.onclick = function(){ (navigator.clipboard ? navigator.clipboard.writeText(value) : Promise.reject()).then(function(){ b.textContent = '已复制'; }, function(){ var r = document.createRange(); r.selectNodeContents(v); var s = getSelection(); s.removeAllRanges(); s.addRange(r); b.textContent = '请长按复制'; }); };
  wrap.appendChild(l); wrap.appendChild(v); wrap.appendChild(b); return wrap;
}
function show(secret, platform){
  var box = $('result'); box.innerHTML = ''; box.hidden = false;
  if (secret.card_number) box.appendChild(row('卡号', secret.card_number));
  if (secret.password) box.appendChild(row('密码', secret.password));
  if (secret.code) box.appendChild(row('兑换码', secret.code));
  if (secret.url) { box.appendChild(row('兑换链接', secret.url)); }
  if (howto[platform]) { $('howto').textContent = howto[platform]; $('howto').hidden = false; }
  $('reveal').hidden = true;
}
function answer(res){ return res.json().then(function(body){ return {res:res, body:body}; }, function(){ return {res:res, body:null}; }); }
fetch(api).then(answer).then(function(r){
  if (!r.res.ok) return fail(problem(r.res, r.body));
  var v = r.body, p = v.product;
  heading(p.name); loaded = true;
  var meta = [];
  if (p.period) meta.push(p.period.count + (units[p.period.unit] || p.period.unit));
  meta.push(p.renewal ? '连续包月首期（到期自动续费，可随时取消）' : '单次有效期，不自动续费');
  if (v.expires_at) meta.push('领取截止 ' + new Date(v.expires_at).toLocaleDateString('zh-CN'));
  $('meta').textContent = meta.join(' · ');
  var btn = $('reveal'); btn.hidden = false;
  if (v.status === 'redeemed') { btn.textContent = '再次查看卡密'; var b = document.createElement('span'); b.className = 'badge'; b.textContent = '已领取'; $('status').appendChild(b); }
  btn.onclick = function(){
    btn.disabled = true;
    fetch(api + '/reveal', {method:'POST'}).then(answer).then(function(x){
      btn.disabled = false;
      if (!x.res.ok) return fail(problem(x.res, x.body));
      show(x.body, p.platform);
    }, function(){ btn.disabled = false; fail(offline('网络异常，请重试。')); });
  };
}, function(){ fail(offline('网络异常，请刷新重试。')); });
})();
</script></body></html>`;

export function redeemPage(): string {
  return PAGE;
}
