import { render } from 'preact';
import { App } from './app';
import './styles.css';

render(<App />, document.getElementById('app')!);
// For the browser test's time-to-interactive: the moment the first page can take input.
performance.mark('dashboard-rendered');
