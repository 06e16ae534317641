import { loadTopology } from '../topology';
import { synthesizeFleet } from '../clusters/fleet';
try { const t = synthesizeFleet(loadTopology(process.argv[2])); for (const [f, c] of t) if (process.argv[3] && f.includes(process.argv[3])) console.log(f + '\n' + c); } catch (e) { console.log((e as Error).message); }
