import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { Providers } from "./providers";
import "./styles.css";

// The window opens hidden and the backend shows it at the first queue view: when it was shown,
// as a performance mark (the window test and the cold-start bench read it).
const shown = (atLoad: boolean) => performance.mark("window-shown", { detail: { atLoad } });
if (document.visibilityState === "visible") shown(true);
else document.addEventListener("visibilitychange", () => shown(false), { once: true });

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <Providers>
        <App />
      </Providers>
    </StrictMode>,
  );
}
