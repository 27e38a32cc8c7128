// Every action and view by name: views register what they can do right now, and the command
// palette (Ctrl+K) lists whatever is registered. One registry, so the palette never drifts from
// the keyboard shortcuts.
import { createContext, useContext, useEffect, useState, type ReactNode } from "react";

export type Command = {
  id: string;
  label: string;
  group: "Case" | "Queue" | "Views" | "Desk";
  /** The shortcut that does the same, shown beside it. */
  keys?: string;
  run: () => void;
};

type Registry = { set: (owner: string, commands: Command[]) => void; drop: (owner: string) => void; all: () => Command[] };

function newRegistry(): Registry {
  const owners = new Map<string, Command[]>();
  return {
    set: (owner, commands) => void owners.set(owner, commands),
    drop: (owner) => void owners.delete(owner),
    all: () => [...owners.values()].flat(),
  };
}

const RegistryContext = createContext<Registry | null>(null);

export function CommandsProvider(props: { children: ReactNode }) {
  const [registry] = useState(newRegistry);
  return <RegistryContext.Provider value={registry}>{props.children}</RegistryContext.Provider>;
}

function useRegistry(): Registry {
  const registry = useContext(RegistryContext);
  if (!registry) throw new Error("CommandsProvider is missing");
  return registry;
}

/** Registers `commands` under `owner` while the calling component is mounted (latest wins). */
export function useCommands(owner: string, commands: Command[]) {
  const registry = useRegistry();
  useEffect(() => registry.set(owner, commands));
  useEffect(() => () => registry.drop(owner), [registry, owner]);
}

/** Every command registered now, for the palette. */
export function useCommandList(): () => Command[] {
  const registry = useRegistry();
  return registry.all;
}
