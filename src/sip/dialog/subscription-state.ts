// RFC 6665 4.1.3 / 8.2.3: Subscription-State = substate-value *( SEMI subexp-params ).
import { paramValue, parseParams } from "../message/index.ts";

export interface SubscriptionState {
  readonly state: "active" | "pending" | "terminated" | (string & {});
  readonly expires?: number;
  readonly reason?: string;
  readonly retryAfter?: number;
}

export function parseSubscriptionState(value: string | undefined): SubscriptionState | undefined {
  if (value === undefined) return undefined;
  const semi = value.indexOf(";");
  const state = (semi < 0 ? value : value.slice(0, semi)).trim().toLowerCase();
  if (state === "") return undefined;
  const params = semi < 0 ? [] : (parseParams(value, semi) ?? []);
  const expires = paramValue(params, "expires");
  const reason = paramValue(params, "reason");
  const retry = paramValue(params, "retry-after");
  return {
    state,
    ...(expires !== undefined && /^\d+$/.test(expires) ? { expires: Number(expires) } : {}),
    ...(reason ? { reason: reason.toLowerCase() } : {}),
    ...(retry !== undefined && /^\d+$/.test(retry) ? { retryAfter: Number(retry) } : {}),
  };
}
