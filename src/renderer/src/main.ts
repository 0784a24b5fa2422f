import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { ipcTransport } from './lib/api/ipc';
import { websocketTransport } from './lib/api/ws';
import { Lab } from './lib/lab.svelte';
import type { PreloadBridge } from '../../shared/bridge';

// The transport is chosen once at start: the preload's bridge inside Electron, otherwise the
// WebSocket of the `patchlab serve` that served this page.
const bridge = (window as unknown as { patchlab?: PreloadBridge }).patchlab;
const lab = new Lab(bridge ? ipcTransport(bridge) : websocketTransport(window.location, window.sessionStorage));
if (!bridge && new URLSearchParams(window.location.search).has('token')) {
  // Keep the secret out of the address bar and history once it is stored for this tab.
  window.history.replaceState(null, '', window.location.pathname);
}

const target = document.getElementById('app');
if (!target) throw new Error('missing #app element');
export default mount(App, { target, props: { lab } });
