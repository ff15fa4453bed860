/**
 * The web console at /console (issue 18): server-rendered HTML, no script from anywhere, works
 * offline. Pages: contracts (filter by state, search by number, title or party name); one
 * contract (parties masked as the product masks them, each party's status, the timeline with
 * identity checks, the PDF of every revision, the payment order and a pay button); the outbox;
 * controls (call a function as a user, face-check simulator, time travel, timers run now, fault
 * injection). Buttons are plain forms POSTing to /console/do/<what>, which redirect back.
 * It reads the store through collection names and acts only through the emulator's own controls
 * and the functions' mains, like the other emulator routes.
 */
import type http from 'node:http';
import type { Container } from '../shared/runtime/container';
import { collectionName } from '../shared/store/collections';
import { FUNCTIONS } from '../shared/runtime/registry';

export interface ConsoleDeps {
  container: Container;
  /** Calls a function's main as the emulator's /fn route does. */
  call(name: string, body: unknown, openid: string | null): Promise<unknown>;
  /** Runs one of the emulator's own controls (pay, face, clock, faults), answering its JSON. */
  control(path: string, body: unknown): Promise<{ status: number; json: any }>;
}

type Row = Record<string, any> & { _id: string };

const esc = (v: unknown): string => String(v ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const maskId = (v: unknown) => (typeof v === 'string' && v.length > 8 ? `${v.slice(0, 4)}${'*'.repeat(v.length - 8)}${v.slice(-4)}` : esc(v));
const maskPhone = (v: unknown) => (typeof v === 'string' ? v.replace(/^(\+?\d{3})\d+(\d{4})$/, '$1****$2') : '');

const page = (title: string, body: string): string => `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(title)} · 控制台</title>
<style>body{font:14px/1.5 system-ui,sans-serif;margin:0;color:#222}nav{background:#1a5fb4;padding:8px 16px}nav a{color:#fff;margin-right:16px;text-decoration:none}
main{padding:16px}table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
form.inline{display:inline}button{margin:2px}textarea{width:40em;height:6em;font-family:monospace}.state{font-weight:bold}pre{background:#f4f4f4;padding:8px;max-width:60em;overflow:auto}</style></head>
<body><nav><a href="/console">合同</a><a href="/console/outbox">消息</a><a href="/console/controls">控制</a></nav><main><h1>${esc(title)}</h1>${body}</main></body></html>`;

const button = (action: string, label: string, fields: Record<string, string> = {}, back = '') =>
  `<form class="inline" method="post" action="/console/do/${action}">${Object.entries({ ...fields, back }).map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`).join('')}<button type="submit" data-action="${esc(action)}">${esc(label)}</button></form>`;

export const consoleRoutes = (deps: ConsoleDeps) => {
  const { container } = deps;
  const store = container.store;
  let lastResult = '';

  const list = async (url: URL): Promise<string> => {
    const state = url.searchParams.get('state') ?? '';
    const q = (url.searchParams.get('q') ?? '').trim();
    const rows = await store.find<Row>(collectionName('contracts'), state ? { state } : {}, { orderBy: [['updatedAt', 'desc']], limit: 500 });
    const hits = rows.filter((c) => !q || [c.contractNo, c.title, ...c.parties.map((p: any) => p.details?.name ?? '')].some((s) => String(s).includes(q)));
    const states = ['draft', 'awaiting_fill', 'awaiting_signatures', 'signed', 'rejected', 'revoked', 'expired', 'invalidated', 'rescind_pending', 'rescinded', 'settle_pending', 'settled'];
    return page('合同', `<form method="get" action="/console"><select name="state"><option value="">全部状态</option>${states.map((s) => `<option ${s === state ? 'selected' : ''}>${s}</option>`).join('')}</select>
<input name="q" placeholder="编号 / 标题 / 姓名" value="${esc(q)}"><button type="submit">筛选</button></form>
<table id="contracts"><tr><th>编号</th><th>标题</th><th>状态</th><th>当事人</th><th>更新</th></tr>${hits.map((c) => `<tr><td><a href="/console/contracts/${esc(c._id)}">${esc(c.contractNo)}</a></td><td>${esc(c.title)}</td><td class="state">${esc(c.state)}</td><td>${c.parties.map((p: any) => esc(p.details?.name ?? '（待补充）')).join('、')}</td><td>${esc(c.updatedAt)}</td></tr>`).join('')}</table><p>${hits.length} 份</p>`);
  };

  const contract = async (id: string): Promise<string | null> => {
    const c = await store.get<Row>(collectionName('contracts'), id);
    if (!c) return null;
    const back = `/console/contracts/${id}`;
    const events = await store.find<Row>(collectionName('events'), { contractId: id }, { orderBy: [['seq', 'asc']], limit: 1000 });
    // V2: the method behind each act's proof — a face check's BizToken, a signing password's use (pw_…), a spent SOTER challenge (sc_…, its mode).
    const methodOf = async (id: string): Promise<string> =>
      id.startsWith('pw_') ? '签署密码' : id.startsWith('sc_') ? ((await store.get<Row>(collectionName('soterChallenges'), id))?.mode === 'facial' ? '面容 ID' : '指纹') : '人脸核身';
    const methods = new Map(await Promise.all(events.flatMap((e) => (e.faceCheckId ? [String(e.faceCheckId)] : [])).map(async (id) => [id, await methodOf(id)] as const)));
    const orders = await store.find<Row>(collectionName('orders'), { contractId: id }, { orderBy: [['createdAt', 'asc']], limit: 100 });
    const doc = c.document;
    const revisions: Array<[string, string]> = doc ? ([['原始 PDF', doc.originalKey], ['签署后 PDF', doc.signedKey], ['当前 PDF', doc.currentKey]] as Array<[string, string | null]>).filter((r): r is [string, string] => !!r[1]).filter((r, i, a) => a.findIndex((x) => x[1] === r[1]) === i) : [];
    const links = await Promise.all(revisions.map(async ([label, key]) => `<li><a class="pdf" href="${esc(await container.files.temporaryUrl(key, 600))}">${esc(label)}</a> <code>${esc(key)}</code></li>`));
    const nameOf = (openid: string | null) => c.parties.find((p: any) => p.openid === openid)?.details?.name ?? (openid ? '?' : '平台');
    return page(`合同 ${c.contractNo}`, `<p>${esc(c.title)} · <span class="state" id="state">${esc(c.state)}</span> · 付款 ${esc(c.payment.status)}${c.pending ? ` · 待处理：${esc(c.pending.type)}` : ''}</p>
<h2>当事人</h2><table id="parties"><tr><th>身份</th><th>角色</th><th>姓名</th><th>身份证号</th><th>手机</th><th>状态</th><th>签署</th></tr>
${c.parties.map((p: any) => `<tr><td>${esc(p.side)}</td><td>${esc(p.role)}</td><td>${esc(p.details?.name)}</td><td>${maskId(p.details?.idNumber)}</td><td>${esc(maskPhone(p.details?.phone))}</td><td class="party-status">${esc(p.status)}</td><td>${esc(p.signature?.at ?? '')}</td></tr>`).join('')}</table>
<h2>付款订单</h2><table id="orders"><tr><th>订单</th><th>金额（分）</th><th>状态</th><th></th></tr>${orders.map((o) => `<tr><td>${esc(o._id)}</td><td>${esc(o.amountFen)}</td><td class="order-status">${esc(o.status)}</td><td>${o.status !== 'paid' && o.status !== 'closed' ? button('pay', '模拟支付', { orderId: o._id }, back) : ''}</td></tr>`).join('')}</table>
<h2>PDF</h2><ul id="pdfs">${links.join('')}</ul>
<h2>时间线</h2><table id="timeline"><tr><th>#</th><th>时间</th><th>事件</th><th>操作人</th><th>核身</th></tr>${events.map((e) => `<tr><td>${e.seq}</td><td>${esc(e.at)}</td><td class="event">${esc(e.type)}</td><td>${esc(e.actor.role)} ${esc(nameOf(e.actor.openid))}</td><td>${e.faceCheckId ? `${esc(methods.get(String(e.faceCheckId)))} ✓` : ''}</td></tr>`).join('')}</table>`);
  };

  const outbox = async (): Promise<string> => {
    const rows = await store.find<Row>(collectionName('messages'), {}, { orderBy: [['createdAt', 'asc']], limit: 1000 });
    return page('消息', `<table id="outbox"><tr><th>种类</th><th>状态</th><th>次数</th><th>收件</th><th>模板/主题</th><th>合同</th><th>最后错误</th></tr>${rows.map((r) => `<tr><td>${esc(r.kind)}</td><td class="msg-state">${esc(r.status)}</td><td>${esc(r.attempts)}</td><td>${esc(r.sms ? maskPhone(r.sms.phone) : r.email ? String(r.email.to).replace(/^(.)[^@]*(@.*)$/, '$1***$2') : '')}</td><td>${esc(r.sms?.template ?? r.email?.subject ?? '')}</td><td>${esc(r.contractId ?? '')}</td><td>${esc(r.lastError ?? '')}</td></tr>`).join('')}</table>`);
  };

  const controls = async (): Promise<string> => {
    const clock = await deps.control('/_emulator/clock', undefined);
    const faces = await store.find<Row>(collectionName('faceChecks'), {}, { orderBy: [['createdAt', 'desc']], limit: 20 });
    const calls = FUNCTIONS.filter((f) => f.kind === 'call').map((f) => `<option>${esc(f.name)}</option>`).join('');
    return page('控制', `<h2>以用户身份调用</h2><form method="post" action="/console/do/call" id="call-form"><input name="openid" placeholder="openid" required> <select name="fn">${calls}</select><br><textarea name="body">{}</textarea><br><button type="submit" data-action="call">调用</button></form>
<h2>结果</h2><pre id="result">${esc(lastResult)}</pre>
<h2>人脸核身模拟</h2>${button('face-mode', '未完成的核身：通过', { mode: 'pass' }, '/console/controls')}${button('face-mode', '未完成的核身：失败', { mode: 'fail' }, '/console/controls')}${button('face-mode', '未完成的核身：挂起', { mode: 'pending' }, '/console/controls')}
<table id="faces"><tr><th>BizToken</th><th>用途</th><th>状态</th><th></th></tr>${faces.map((f) => `<tr><td>${esc(f._id)}</td><td>${esc(f.purpose)}</td><td>${esc(f.status)}</td><td>${button('face', '通过', { bizToken: String(f._id), pass: 'true' }, '/console/controls')}${button('face', '失败', { bizToken: String(f._id), pass: 'false' }, '/console/controls')}</td></tr>`).join('')}</table>
<h2>时间</h2><p id="clock">${esc(clock.json.now)}（偏移 ${esc(clock.json.offsetMinutes)} 分钟）</p>${button('clock', '+1 小时', { advanceMinutes: '60' }, '/console/controls')}${button('clock', '+1 天', { advanceMinutes: '1440' }, '/console/controls')}${button('clock', '+30 天', { advanceMinutes: '43200' }, '/console/controls')}
<h2>定时任务（立即运行）</h2>${FUNCTIONS.filter((f) => f.kind === 'timer').map((f) => button('timer', f.name, { name: f.name }, '/console/controls')).join('')}
<h2>故障注入</h2>${button('faults', '下 3 条短信失败', { sms: '3' }, '/console/controls')}${button('faults', '下 3 封邮件失败', { email: '3' }, '/console/controls')}`);
  };

  const act = async (what: string, f: URLSearchParams): Promise<void> => {
    const show = (v: unknown) => (lastResult = JSON.stringify(v, null, 2));
    if (what === 'call') {
      let body: unknown;
      try {
        body = JSON.parse(f.get('body') || '{}');
      } catch {
        return void show({ ok: false, error: 'body is not JSON' });
      }
      return void show(await deps.call(f.get('fn') ?? '', body, f.get('openid') || null));
    }
    if (what === 'pay') return void show((await deps.control(`/_emulator/pay/${f.get('orderId')}`, {})).json);
    if (what === 'face') return void show((await deps.control(`/_emulator/face/${f.get('bizToken')}`, { pass: f.get('pass') === 'true' })).json);
    if (what === 'face-mode') return void show((await deps.control('/_emulator/face-mode', { mode: f.get('mode') })).json);
    if (what === 'clock') return void show((await deps.control('/_emulator/clock', { advanceMinutes: Number(f.get('advanceMinutes')) })).json);
    if (what === 'timer') return void show((await deps.control(`/timers/${f.get('name')}`, {})).json);
    if (what === 'faults') return void show((await deps.control('/_emulator/faults', { ...(f.get('sms') ? { sms: Number(f.get('sms')) } : {}), ...(f.get('email') ? { email: Number(f.get('email')) } : {}) })).json);
  };

  /** Answers the request when it is the console's (true), or leaves it to the other routes. */
  return async (req: http.IncomingMessage, res: http.ServerResponse, url: URL, body: () => Promise<string>): Promise<boolean> => {
    const p = url.pathname;
    if (!p.startsWith('/console')) return false;
    const html = (status: number, text: string) => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(text), 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" });
      res.end(text);
    };
    if (req.method === 'POST' && p.startsWith('/console/do/')) {
      const form = new URLSearchParams(await body());
      await act(p.slice('/console/do/'.length), form);
      const back = form.get('back');
      res.writeHead(303, { location: back && back.startsWith('/console') ? back : '/console/controls' });
      res.end();
      return true;
    }
    if (req.method !== 'GET') return false;
    if (p === '/console' || p === '/console/') return html(200, await list(url)), true;
    if (p === '/console/outbox') return html(200, await outbox()), true;
    if (p === '/console/controls') return html(200, await controls()), true;
    const m = /^\/console\/contracts\/([A-Za-z0-9_]+)$/.exec(p);
    if (m) {
      const text = await contract(m[1]!);
      html(text ? 200 : 404, text ?? page('没有这份合同', ''));
      return true;
    }
    return false;
  };
};
