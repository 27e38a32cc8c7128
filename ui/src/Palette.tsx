import { useMemo } from "react";
import { Command as Cmdk } from "cmdk";
import { useHotkeys } from "react-hotkeys-hook";
import { useCommandList, type Command } from "./commands";

const GROUPS: Command["group"][] = ["Case", "Queue", "Views", "Desk"];

/** Ctrl+K: every action and view by name; arrows move, Enter runs, Esc closes. */
export function Palette(props: { onClose: () => void }) {
  const list = useCommandList();
  const commands = useMemo(() => list(), [list]);
  useHotkeys("escape", () => props.onClose(), { enableOnFormTags: true }, [props.onClose]);
  return (
    <div className="dialog palette" role="dialog" aria-modal="true" aria-label="Command palette" data-testid="palette">
      <Cmdk label="Command palette" loop>
        <Cmdk.Input autoFocus placeholder="Type a command or a view…" data-testid="palette-input" />
        <Cmdk.List>
          <Cmdk.Empty>No command matches.</Cmdk.Empty>
          {GROUPS.map((group) => {
            const inGroup = commands.filter((c) => c.group === group);
            if (inGroup.length === 0) return null;
            return (
              <Cmdk.Group key={group} heading={group}>
                {inGroup.map((c) => (
                  <Cmdk.Item
                    key={c.id}
                    value={`${c.label} ${c.id}`}
                    data-testid="palette-item"
                    data-command={c.id}
                    onSelect={() => {
                      props.onClose();
                      c.run();
                    }}
                  >
                    <span>{c.label}</span>
                    {c.keys && <kbd>{c.keys}</kbd>}
                  </Cmdk.Item>
                ))}
              </Cmdk.Group>
            );
          })}
        </Cmdk.List>
      </Cmdk>
    </div>
  );
}
