import { Report, type Simulators } from './kit.ts';
export async function raceSection(_: { dir: string; sims: Simulators }): Promise<Report> {
  return new Report('race');
}
