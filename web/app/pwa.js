// Installs the service worker (web/sw.js, served at /sw.js) that keeps the app shell
// for offline loads. Only secure contexts (https, localhost) may have one; elsewhere,
// or when registration fails, the pages simply work online only.
export function registerServiceWorker() {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  // After the page has loaded: precaching the shell must not compete with its start.
  const register = () => navigator.serviceWorker.register('/sw.js')
    .catch((error) => console.info(`swarmcast works online only here: ${error.message}`));
  if (document.readyState === 'complete') register();
  else window.addEventListener('load', register, { once: true });
}
