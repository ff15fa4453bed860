/**
 * The wrapper for functions behind an HTTP trigger (registry kind `webhook`): the payment
 * provider calls them, not the mini-program, so there is no caller identity and no envelope. The
 * event is the HTTP trigger's (API gateway / function URL / CloudBase HTTP access: `{httpMethod,
 * path, headers, body, isBase64Encoded, …}`), checked against the function's schema; the answer is
 * the HTTP response `{statusCode, headers, body}` the trigger sends back as is. The body is handed
 * over untouched — a signature is verified over the exact bytes received.
 *
 * A malformed event and an unexpected fault are answered with the operation's own refusal (the
 * provider's error format), logged with the request id; nothing of the request body is logged.
 */
import type { HttpAnswer, HttpTriggerEvent, WebhookFault, WebhookOperation } from '../ports/operation';
import { containerOrNull, requestIdOf } from './handler';
import { validatePayload } from '../rules/json-schema';

export const handleWebhook = (name: string, schema: object, operation: WebhookOperation, fault: WebhookFault) =>
  async function main(event: unknown, context?: unknown): Promise<HttpAnswer> {
    const requestId = requestIdOf(context);
    const started = process.hrtime.bigint();
    const ms = () => Number(process.hrtime.bigint() - started) / 1e6;
    const deps = containerOrNull(name, requestId);
    if (!deps) return fault('processing_failed');
    const log = deps.log.child({ fn: name, requestId });
    try {
      validatePayload(schema, event);
    } catch {
      log.warn({ ms: ms(), status: 400, refused: 'malformed_event' }, 'refused');
      return fault('malformed');
    }
    try {
      await deps.prepare(name); // the cold start's secrets (SSM): a failure answers processing_failed, WeChat Pay retries
      const answer = await operation(event as HttpTriggerEvent, { deps, log, requestId });
      log.info({ ms: ms(), status: answer.statusCode }, 'done');
      return answer;
    } catch (e) {
      log.error({ err: e, ms: ms() }, 'unexpected failure');
      return fault('processing_failed');
    }
  };
