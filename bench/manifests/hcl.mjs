/** An hxe manifest: one service block per sleep, restarting at once. */
export function hclManifest(services) {
  return services.map(({ name, arg }) => `service "${name}" {
  command = "sleep ${arg}"
  backoff {
    initial = "0s"
  }
  crashloop {
    max_restarts = 100000
  }
}
`).join('\n');
}
