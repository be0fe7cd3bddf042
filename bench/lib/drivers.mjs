/** The tools under test, by name. */
import { hxeDriver } from '../tools/hxe.mjs';
import { pm2Driver } from '../tools/pm2.mjs';
import { supervisordDriver } from '../tools/supervisord.mjs';

export const DRIVERS = { hxe: hxeDriver, pm2: pm2Driver, supervisord: supervisordDriver };
