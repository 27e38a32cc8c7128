import { useState, type ReactNode } from "react";
import { QueryClientProvider } from "@tanstack/react-query";
import { Router } from "wouter";
import { useHashLocation } from "wouter/use-hash-location";
import { CommandsProvider } from "./commands";
import { newQueryClient } from "./queries";

/** Data, routes (in the URL hash: the app is served from a custom protocol) and commands. */
export function Providers(props: { children: ReactNode }) {
  const [client] = useState(newQueryClient);
  return (
    <QueryClientProvider client={client}>
      <Router hook={useHashLocation}>
        <CommandsProvider>{props.children}</CommandsProvider>
      </Router>
    </QueryClientProvider>
  );
}
