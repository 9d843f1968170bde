import { render } from 'preact';
import { App } from './app';
import { currentToken } from './auth/session';
import { loadConfig } from './config';
import './styles.css';

/** Boot: read the runtime configuration, pick up a session (finishing an OIDC redirect), render. */
async function boot(root: HTMLElement) {
  try {
    const config = await loadConfig(import.meta.env.BASE_URL);
    const token = await currentToken(config.auth);
    // Preact renders next to what it did not render: the boot message would stay above the app.
    root.replaceChildren();
    render(<App config={config} initialToken={token} />, root);
  } catch (error) {
    root.replaceChildren();
    render(
      <main id="main">
        <h1>The admin console cannot start</h1>
        <p role="alert">{(error as Error).message}</p>
      </main>,
      root,
    );
  }
}

void boot(document.getElementById('app')!);
