// One signed call to a gateway (DESIGN §11) and the first reading of its answer: the HTTP exchange worked,
// the body is the protocol's response, and its `sign` verifies. Only then does anyone look at `code`/`result`.
import type { SupplierCredentials } from '../adapters/adapter.ts';
import { isRecord, numericField, parseJson } from './fields.ts';
import { httpCall } from './http.ts';
import { buildRequest, verifyResult } from './protocol.ts';

export type GatewayAnswer = { kind: 'answer'; code: number; message: string; result: string } | { kind: 'failure'; countsForCircuit: boolean; reason: string };

export async function callGateway(c: SupplierCredentials, method: string, biz: Record<string, unknown>, timeoutMs?: number): Promise<GatewayAnswer> {
  const body = JSON.stringify(buildRequest(c.appKey, c.appSecret, method, biz));
  const http = await httpCall(c.endpoint, { method: 'POST', body, accept: 'application/json' }, timeoutMs);
  if (!http.ok) return { kind: 'failure', countsForCircuit: true, reason: http.reason };
  // a redirect is not followed (it could point anywhere); any non-2xx may or may not have processed the request
  if (http.status < 200 || http.status > 299) return { kind: 'failure', countsForCircuit: true, reason: `HTTP ${http.status}` };
  const parsed = parseJson(http.text);
  if (!isRecord(parsed)) return { kind: 'failure', countsForCircuit: true, reason: 'response is not a JSON object' };
  const code = numericField(parsed.code);
  if (code === null) return { kind: 'failure', countsForCircuit: true, reason: 'response has no numeric code' };
  const result = parsed.result ?? '';
  // The sign covers `result` only, yet the code is acted on too: an unverifiable answer is never trusted,
  // whatever its code. It counts for the circuit breaker although the network delivered it fine: a supplier
  // whose answers we cannot verify (wrong secret, tampering proxy) is one we must stop sending new orders to,
  // and only an open circuit moves new submissions to the next supplier.
  if (!verifyResult(result, parsed.sign, c.appSecret)) {
    return { kind: 'failure', countsForCircuit: true, reason: `response signature invalid (code ${code})` };
  }
  const message = typeof parsed.message === 'string' ? parsed.message.slice(0, 200) : '';
  return { kind: 'answer', code, message, result: result as string };
}
