/** A PM2 ecosystem file (CommonJS, as pm2 loads *.config.js) with one app per sleep. */
export function pm2Ecosystem(services) {
  const apps = services.map(({ name, arg }) => ({
    name,
    script: 'sleep',
    args: arg,
    interpreter: 'none',
    autorestart: true,
    restart_delay: 0,
    max_restarts: 100000,
  }));
  return `module.exports = ${JSON.stringify({ apps }, null, 1)};\n`;
}
