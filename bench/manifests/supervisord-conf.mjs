/**
 * supervisord configuration: the daemon's own file, and the programs in an
 * included file (so that a running daemon can take them with `update`).
 * Child logs stay at supervisord's default (AUTO, files in childlogdir).
 */

export function supervisordMainConf(dir) {
  return `[unix_http_server]
file=${dir}/s.sock
chmod=0700

[supervisord]
nodaemon=false
pidfile=${dir}/supervisord.pid
logfile=${dir}/supervisord.log
childlogdir=${dir}
${process.getuid() === 0 ? 'user=root\n' : ''}
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://${dir}/s.sock

[include]
files = ${dir}/conf.d/*.conf
`;
}

export function supervisordPrograms(services) {
  return services.map(({ name, arg }) => `[program:${name}]
command=sleep ${arg}
startsecs=0
autorestart=true
startretries=100000
`).join('\n');
}
