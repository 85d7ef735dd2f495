// The page's first script, kept small: it starts the board's reads (when the tab is signed in) before
// React and the views have loaded, then loads them (start.tsx; index.html preloads that chunk beside
// this one, vite.config.ts). The board's first load is the dashboard's measured target (bench/README.md,
// "queries"): its requests no longer wait for ~250 KB of script to be parsed and run.
import { startFirstReads } from './board-reads';
import './styles.css';

startFirstReads();
void import('./start');
