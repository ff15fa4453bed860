import type { TimerWechatpayCertificatesInput } from '../generated/schema-types';
import type { Operation } from '../ports/operation';

/** Warn this long before the last certificate in force lapses without a successor (WeChat rotates well before). */
const WARN_DAYS = 30;

/**
 * Issue 16 item 5 (《平台证书更新指引》): once a day, download WeChat Pay's platform certificates in
 * force — decrypted with the APIv3 key, checked, kept old+new in this process's key ring beside the
 * 微信支付公钥 (adapters/wechatpay/certificates.ts) — and raise an alarm when the newest one lapses
 * within WARN_DAYS: a rotation WeChat has not started, or settings that still name only a
 * certificate. Each function's own process also refreshes on its first notification under an
 * unknown serial (payment-notify), so no process depends on this run; this one is the early warning.
 * In 微信支付公钥 mode with no certificates the answer is empty, and that is fine.
 */
export const timerWechatpayCertificates: Operation<TimerWechatpayCertificatesInput> = async (_input, { deps }) => {
  const r = await deps.payments.refreshPlatformKeys();
  if (!r) return { refreshed: false, serials: [], added: [], dropped: [], lapsesAt: null, warning: false };
  const now = deps.clock.now().getTime();
  const latest = Object.values(r.expires).map((t) => Date.parse(t)).filter((t) => Number.isFinite(t)).sort((a, b) => b - a)[0] ?? null;
  const warning = latest !== null && latest - now < WARN_DAYS * 86_400_000;
  const lapsesAt = latest === null ? null : new Date(latest).toISOString();
  if (warning) deps.log.error({ lapsesAt, serials: r.serials }, 'WeChat Pay platform certificate lapses soon with no successor: check the merchant platform');
  else if (r.added.length || r.dropped.length) deps.log.info({ added: r.added, dropped: r.dropped }, 'WeChat Pay platform certificates rotated');
  return { refreshed: true, serials: r.serials, added: r.added, dropped: r.dropped, lapsesAt, warning };
};
