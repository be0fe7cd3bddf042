# hxe agent configuration: every field is optional; the values shown are the
# defaults. Use it with:  hxe agent run --config /etc/hxe/   (this folder)
# Values "env:NAME" are read from the agent's environment at start.

agent {
  # name      = "<hostname>"         # how alerts and the fleet name this host
  # data_dir  = "/var/lib/hxe"       # the home (store, logs, socket) when neither --home nor HXE_HOME is set
  log_level = "info"                 # trace | debug | info | warn | error
  cgroups   = "auto"                 # auto | always | never: which instances get a cgroup (docs/resources.md)

  metrics {
    enabled             = true
    interval            = "10s"      # CPU and memory sampling (one batched call for all services)
    retention           = "1h"       # in-memory history for `hxe top` and the page
    prometheus_endpoint = "/metrics" # "" disables it
  }

  alerts {
    enabled    = true
    group_wait = "10s"               # alerts starting together are sent as one message

    # webhook {
    #   url     = "https://hooks.example.com/hxe"
    #   secret  = "env:HXE_WEBHOOK_SECRET"   # signs the body: X-Hxe-Signature
    #   timeout = "5s"
    # }

    # email {
    #   smtp_host = "smtp.example.com"
    #   smtp_port = 587
    #   username  = "alerts@example.com"
    #   password  = "env:SMTP_PASSWORD"
    #   from      = "hxe@example.com"
    #   to        = ["ops@example.com"]
    # }

    # rule "high-memory" {
    #   type     = "memory"
    #   above    = "900Mi"
    #   for      = "2m"
    #   severity = "warning"
    # }
  }

  # nats {                           # reserved for the fleet
  #   enabled = false
  #   url     = "nats://127.0.0.1:4222"
  # }
}

# GitOps: keep the services equal to a checkout from boot on.
# sync {
#   path  = "/srv/deploy"
#   prune = true
# }
