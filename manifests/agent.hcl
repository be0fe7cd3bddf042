# hxe agent configuration: the HXE plan's agent.hcl as the plan writes it,
# with hxe's additions commented "(hxe)". Use it with:
#   hxe agent run --config /etc/hxe/        (this folder, with server.hcl)
#   hxe validate -f /etc/hxe/               (checks it without starting anything)
# Values "env:NAME" are read from the agent's environment at start (an unset
# one is an error). Every field is optional; docs/configuration.md lists them.

agent {
  name      = "hxe-agent-01"               # default: the host name
  data_dir  = "/var/lib/hxe"               # the home when neither --home nor HXE_HOME is set
  log_level = "info"                       # trace | debug | info | warn | error
  # cgroups = "auto"                       # (hxe) auto | always | never (docs/resources.md)

  nats {
    servers      = ["nats://localhost:4222"]
    cluster_name = "hxe-cluster"
  }

  metrics {
    enabled             = true
    prometheus_endpoint = ":9090"          # an address: its own /metrics listener, no auth; "/metrics": a path on the API
    # interval          = "10s"            # (hxe) CPU and memory sampling
    # retention         = "1h"             # (hxe) in-memory history for `hxe top` and the page
  }

  alerts {
    webhook_url = "https://hooks.slack.com/services/xxx"
    email {
      smtp_server = "smtp.gmail.com:587"   # STARTTLS when offered
      username    = "alerts@company.com"   # also the sender and the recipient unless from/to say otherwise
      password    = "env:SMTP_PASSWORD"
      # from      = "hxe@company.com"      # (hxe)
      # to        = ["ops@company.com"]    # (hxe)
    }

    # (hxe) the long forms and the rules: docs/alerts.md
    # group_wait = "10s"
    # webhook {
    #   url    = "https://hooks.example.com/hxe"
    #   secret = "env:HXE_WEBHOOK_SECRET"  # signs the body: X-Hxe-Signature
    # }
    # rule "high-memory" {
    #   type     = "memory"
    #   above    = "900Mi"
    #   for      = "2m"
    #   severity = "warning"
    # }
  }
}

# (hxe) GitOps: keep the services equal to a checkout from boot on.
# sync {
#   path  = "/srv/deploy"
#   prune = true
# }
