// The styles both elements' shadow roots share: the host, the status veil over a
// picture, buttons and fields with touch-sized (44 px) targets. A page themes them with
// custom properties, which inherit into the shadow roots: --swarmcast-accent (buttons,
// focus), --swarmcast-bg (control bar, secondary buttons, fields), --swarmcast-fg
// (text), --swarmcast-live (LIVE badge, problems), --swarmcast-muted (hints),
// --swarmcast-radius (corners).
export const SHARED_STYLE = `
  :host {
    display: block; position: relative; color: var(--swarmcast-fg, #e8e8ea);
    font-family: system-ui, sans-serif; -webkit-tap-highlight-color: transparent;
  }
  :host([hidden]) { display: none; }
  [hidden] { display: none !important; }
  .status {
    position: absolute; inset: 0; display: flex; align-items: center; justify-content: center;
    text-align: center; padding: 16px; background: rgb(0 0 0 / 0.6); font-size: 1.1rem;
  }
  .status.problem { color: var(--swarmcast-live, #e5484d); }
  button {
    min-height: 44px; padding: 0 18px; border: 0; border-radius: 8px; cursor: pointer;
    background: var(--swarmcast-accent, #4f8cff); color: #fff; font: inherit; font-size: 1rem;
  }
  button.secondary { background: var(--swarmcast-bg, #1b1d22); color: var(--swarmcast-fg, #e8e8ea); }
  button.danger { background: var(--swarmcast-live, #e5484d); }
  button:disabled { opacity: 0.5; cursor: default; }
  button:focus-visible, select:focus-visible, input:focus-visible { outline: 2px solid var(--swarmcast-accent, #4f8cff); outline-offset: 1px; }
  select {
    min-height: 44px; max-width: 100%; min-width: 0; font: inherit; border-radius: 6px; border: 1px solid #333;
    background: var(--swarmcast-bg, #1b1d22); color: var(--swarmcast-fg, #e8e8ea);
  }
  input[type="text"], input:not([type]) {
    min-height: 44px; padding: 0 8px; border-radius: 6px; border: 1px solid #333; box-sizing: border-box;
    background: #101114; color: var(--swarmcast-fg, #e8e8ea); font: inherit; min-width: 0;
  }
`;
