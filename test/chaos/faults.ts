import { Report } from './kit.ts';
export async function faultSection(_: { dir: string }): Promise<Report> {
  return new Report('faults');
}
