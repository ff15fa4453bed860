/**
 * `npm run demo [-- --out DIR]`: starts a fresh emulator on a free port and walks one IOU (借条)
 * from creation through both signatures to settlement, calling the functions over HTTP exactly as
 * the mini-program would, printing each step and the final states. With --out it also writes what
 * it produced into DIR: the signed contract PDF, the settled one (stamped by the platform), the
 * evidence report, the contract, its audit trail, the SMS outbox and the platform's root certificate.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmulator, type Emulator } from '../emulator/server';
import { verifyChain, type ContractEvent } from '../shared/domain/events';
import { counterpartyOf, initiatorOf, type Contract } from '../shared/domain/contract';
import { signingKeys } from '../shared/contracts/signing-keys';
import { addDays, chinaDay } from '../shared/rules/dates';
import { residentIdCheckChar } from '../shared/rules/id-number';
import { formatYuan, toCapital } from '../shared/rules/money';

const outIndex = process.argv.indexOf('--out');
const outDir = outIndex > 0 ? process.argv[outIndex + 1] : undefined;

const idFor = (birth: string, seq: string) => {
  const first17 = `110105${birth.replace(/-/g, '')}${seq}`;
  return first17 + residentIdCheckChar(first17);
};

interface Person {
  openid: string;
  name: string;
  idNumber: string;
  phone: string;
}

let step = 0;
const say = (zh: string, en: string) => console.log(`\n${String(++step).padStart(2, ' ')}. ${zh}\n    ${en}`);
const show = (label: string, value: unknown) => console.log(`    · ${label}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);

const main = async () => {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'esign-demo-'));
  const emu: Emulator = await startEmulator({ port: 0, dataDir, timers: false, env: { ...process.env, ESIGN_LOG_LEVEL: 'silent' } });
  const call = async (name: string, who: Person, body: unknown) => {
    const res = await fetch(`${emu.url}/fn/${name}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-openid': who.openid }, body: JSON.stringify(body) });
    const json = (await res.json()) as { ok: boolean; data: any; error?: { code: string; message: string } };
    if (!json.ok) throw new Error(`${name} → ${json.error?.code}: ${json.error?.message}`);
    return json.data;
  };
  const passFace = async (who: Person, body: Record<string, unknown>) => {
    const { bizToken } = await call('face-start', who, body);
    await fetch(`${emu.url}/_emulator/face/${bizToken}`, { method: 'POST', body: JSON.stringify({ pass: true }) });
    return bizToken as string;
  };
  const smsTo = async (p: Person) => {
    const r = (await (await fetch(`${emu.url}/outbox/sms?phone=${p.phone}`)).json()) as { messages: Array<{ text: string }> };
    return r.messages.at(-1)?.text ?? '(none)';
  };

  try {
    console.log(`电子签个人版后端 · demo — emulator at ${emu.url} (data in ${dataDir})`);
    const today = chinaDay(emu.container.clock.now());
    const lender: Person = { openid: 'demo-lender', name: '张三', idNumber: idFor('1985-06-15', '031'), phone: '13800138001' };
    const borrower: Person = { openid: 'demo-borrower', name: '李四', idNumber: idFor('1993-11-02', '042'), phone: '13900139002' };

    say('张三、李四完成实名认证（人脸核身）', 'Both people verify their identity with a face check (simulator)');
    for (const p of [lender, borrower]) {
      const bizToken = await passFace(p, { purpose: 'realname', name: p.name, idNumber: p.idNumber });
      await call('identity-verify', p, { name: p.name, idNumber: p.idNumber, phone: p.phone, bizToken });
      show(p.name, (await call('user-profile', p, {})).idNumber);
    }

    const amountFen = 1_000_000;
    say(`张三以出借人身份创建借条：${formatYuan(amountFen)} 元（${toCapital(amountFen)}），对方信息由李四自己填写`, 'The lender creates an IOU; the borrower will fill in their own details (对方填)');
    const created = await call('contract-create', lender, {
      kind: 'iou', myRole: 'lender', counterparty: { fillMode: 'other' },
      form: {
        amountFen, purpose: '个人资金周转', borrowDate: today, repayDate: addDays(today, 180), annualRateBp: 600,
        repaymentPlan: [{ dueDate: addDays(today, 90), principalFen: 500_000 }, { dueDate: addDays(today, 180), principalFen: 500_000 }],
      },
    });
    const id = created.id as string;
    show('合同编号 contract no.', created.contractNo);
    show('状态 state', `${created.stateLabel} (${created.state})`);

    say('张三用新人优惠券支付发起费用（微信支付）', 'The lender pays the initiation fee with a welcome coupon (WeChat Pay, local simulator)');
    const coupon = (await (await fetch(`${emu.url}/_emulator/coupons`, { method: 'POST', body: JSON.stringify({ openid: lender.openid, campaign: 'welcome' }) })).json()) as { coupon: { id: string; title: string } };
    const quote = await call('fee-quote', lender, { contractId: id, couponId: coupon.coupon.id });
    show('报价 quote', quote.why.map((s: { label: string; fen: number }) => `${s.label} ${formatYuan(s.fen)}`).join(' → '));
    const order = await call('contract-pay', lender, { contractId: id, couponId: coupon.coupon.id, quotedAmountFen: quote.amountFen });
    show('订单 order', `${order.orderId}: ${formatYuan(order.amountFen)} 元, wx.requestPayment ${order.requestPayment.package}`);
    const notified = (await (await fetch(`${emu.url}/_emulator/pay/${order.orderId}`, { method: 'POST', body: '{}' })).json()) as { deliveries: Array<{ status: number }> };
    show('支付通知 notification', `webhook answered ${notified.deliveries.map((d) => d.status).join(', ')}`);
    const paid = await call('contract-get', lender, { contractId: id });
    show('状态 state', `${paid.stateLabel} (${paid.state})`);

    say('李四打开分享链接并确认个人信息', 'The borrower opens the share link and confirms their details');
    await call('share-open', borrower, { token: created.shareToken });
    const filled = await call('contract-fill', borrower, { contractId: id, name: borrower.name, idNumber: borrower.idNumber, phone: borrower.phone });
    show('状态 state', `${filled.stateLabel} — 张三 ${filled.parties[0].statusLabel}, 李四 ${filled.parties[1].statusLabel}`);
    show('短信 → 张三', await smsTo(lender));

    say('张三人脸核身后用个人印章签署（发起人先签）', 'The lender signs first, with a personal seal, after a face check');
    const s1 = await call('contract-sign', lender, { contractId: id, bizToken: await passFace(lender, { purpose: 'sign', contractId: id }), signature: { type: 'seal' } });
    show('状态 state', `${s1.stateLabel} — 张三 ${s1.parties[0].statusLabel}, 李四 ${s1.parties[1].statusLabel}`);
    show('短信 → 李四', await smsTo(borrower));

    say('李四人脸核身后签署，借条生效', 'The borrower signs after a face check: the IOU is in force');
    const s2 = await call('contract-sign', borrower, { contractId: id, bizToken: await passFace(borrower, { purpose: 'sign', contractId: id }), signature: { type: 'seal' } });
    show('状态 state', `${s2.stateLabel} (${s2.state})`);
    show('短信 → 张三', await smsTo(lender));

    const signedPdf = await call('contract-download', borrower, { contractId: id });
    const signedBytes = Buffer.from(await (await fetch(`${emu.url}${signedPdf.url}`)).arrayBuffer());
    const certs = await call('contract-certificates', borrower, { contractId: id });
    for (const c of certs.certificates) show(`签署证书 certificate`, `${c.subject} · serial ${c.serialNumber.slice(0, 16)}… · SHA-256 ${c.fingerprintSha256.slice(0, 23)}…`);
    const verified = await call('contract-verify', lender, { contractId: id });
    show('验签 verification', `${verified.valid ? '有效 valid' : '无效 INVALID'} — ${verified.document.signatures.length} signatures, audit chain ${verified.auditChain.ok ? 'intact' : 'broken'}`);

    say('张三申请签署报告（出证）并支付报告费用（微信支付），报告发送至邮箱', 'The lender orders the evidence report and pays its fee (WeChat Pay, local simulator); once paid it is emailed and an SMS says so');
    const reportQuote = await call('fee-quote', lender, { item: 'evidence_report', contractId: id });
    show('报价 quote', reportQuote.why.map((s: { label: string; fen: number }) => `${s.label} ${formatYuan(s.fen)}`).join(' → '));
    const reportOrder = await call('evidence-report-request', lender, { contractId: id, email: 'zhangsan@example.com', quotedAmountFen: reportQuote.amountFen });
    show('订单 order', reportOrder.orderId ? `${reportOrder.orderId}: ${formatYuan(reportOrder.amountFen)} 元, wx.requestPayment ${reportOrder.requestPayment.package}` : '免费，无需支付 free');
    if (reportOrder.orderId) {
      const reportPaid = (await (await fetch(`${emu.url}/_emulator/pay/${reportOrder.orderId}`, { method: 'POST', body: '{}' })).json()) as { deliveries: Array<{ status: number }> };
      show('支付通知 notification', `webhook answered ${reportPaid.deliveries.map((d) => d.status).join(', ')}`);
    }
    const mails = (await (await fetch(`${emu.url}/outbox/email?to=zhangsan@example.com`)).json()) as { messages: Array<{ subject: string; attachments: Array<{ url: string; filename: string }> }> };
    if (mails.messages.length !== 1) throw new Error(`the evidence report was not emailed once (${mails.messages.length})`);
    const reportBytes = Buffer.from(await (await fetch(`${emu.url}${mails.messages[0]!.attachments[0]!.url}`)).arrayBuffer());
    const reportNo = mails.messages[0]!.subject.split(' ').at(-1);
    show('报告 report', `${reportNo} (${reportBytes.length} bytes, SHA-256 ${createHash('sha256').update(reportBytes).digest('hex').slice(0, 16)}…)`);
    show('短信 → 张三', await smsTo(lender));

    say('李四还清借款后申请结清，张三确认', 'The borrower repays and asks to settle; the lender confirms');
    await call('settle-request', borrower, { contractId: id, reason: '借款已全部还清', bizToken: await passFace(borrower, { purpose: 'settle_request', contractId: id }) });
    show('短信 → 张三', await smsTo(lender));
    const settled = await call('settle-confirm', lender, { contractId: id, bizToken: await passFace(lender, { purpose: 'settle_confirm', contractId: id }) });
    show('状态 state', `${settled.stateLabel} (${settled.state})`);

    const contract = (await emu.container.store.get<Contract>('contracts', id))!;
    const events = await emu.container.store.find<ContractEvent>('events', { contractId: id }, { orderBy: [['seq', 'asc']] });
    const chain = verifyChain(events, contract.eventHead);
    console.log('\n最终状态 / final states');
    show('合同 contract', `${contract.contractNo} ${settled.stateLabel} (${contract.state})`);
    show('张三', `${initiatorOf(contract).role} ${initiatorOf(contract).status}`);
    show('李四', `${counterpartyOf(contract).role} ${counterpartyOf(contract).status}`);
    show('审计链 audit trail', `${events.length} events, ${chain.ok ? 'hash chain intact' : 'BROKEN'}: ${events.map((e) => e.type).join(' → ')}`);
    const sms = (await (await fetch(`${emu.url}/outbox/sms`)).json()) as { messages: unknown[] };
    show('短信 SMS sent', sms.messages.length);

    if (outDir) {
      await fs.mkdir(outDir, { recursive: true });
      const write = (name: string, v: unknown) => fs.writeFile(path.join(outDir, name), `${JSON.stringify(v, null, 2)}\n`);
      await write('contract.json', settled);
      await write('events.json', events);
      await write('sms-outbox.json', sms.messages);
      const settledPdf = await call('contract-download', lender, { contractId: id });
      const files: Array<[string, Buffer]> = [
        [`${contract.contractNo}-signed.pdf`, signedBytes],
        [`${contract.contractNo}-settled.pdf`, Buffer.from(await (await fetch(`${emu.url}${settledPdf.url}`)).arrayBuffer())],
        [`${contract.contractNo}-evidence-report.pdf`, reportBytes],
      ];
      for (const [name, bytes] of files) await fs.writeFile(path.join(outDir, name), bytes);
      await fs.writeFile(path.join(outDir, 'platform-root-ca.pem'), (await signingKeys(emu.container)).ca.rootPem);
      console.log(`\n已写入 / written to ${path.resolve(outDir)}:`);
      for (const f of ['contract.json', 'events.json', 'sms-outbox.json', ...files.map(([n]) => n), 'platform-root-ca.pem']) console.log(`    ${f}`);
      console.log(`    verify: npm run verify -- ${path.join(outDir, files[0]![0])} --root ${path.join(outDir, 'platform-root-ca.pem')}`);
    }
    if (!chain.ok || contract.state !== 'settled') process.exitCode = 1;
  } finally {
    await emu.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
};

main().catch((e: Error) => {
  console.error(`\n演示失败 / demo failed: ${e.message}`);
  process.exit(1);
});
