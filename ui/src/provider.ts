// How the UI names a case's provider (the backend says which one, and what it can do).
import type { Provider } from "./bindings";

const NAMES: Record<Provider, string> = { Didit: "Didit", VerifyHq: "VerifyHQ" };

export function providerName(provider: Provider): string {
  return NAMES[provider];
}
