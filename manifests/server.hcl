# The agent's TCP API: the HXE plan's server.hcl as the plan writes it, with
# hxe's additions commented "(hxe)". The Unix socket $HXE_HOME/agent.sock is
# always served; without this block no TCP port is opened.

server {
  host = "0.0.0.0"
  port = 8080
  # listen = "0.0.0.0:8080"                # (hxe) the same in one field

  tls {
    enabled   = true
    cert_file = "/etc/hxe/tls/cert.pem"
    key_file  = "/etc/hxe/tls/key.pem"
  }

  auth {
    type         = "jwt"                    # jwt | token
    secret       = "env:JWT_SECRET"         # HS256
    token_expiry = "24h"                    # tokens from `hxe token create [--ttl D] [--role admin|read]`
    # type  = "token"                       # (hxe) one shared bearer token instead
    # token = "env:HXE_TOKEN"
  }

  cors {                                    # present: CORS on
    allowed_origins = ["https://dashboard.company.com"]
    allowed_methods = ["GET", "POST", "PUT", "DELETE"]
  }

  rate_limit {                              # per client address: a burst, then refilled per minute; then 429
    requests_per_minute = 100
    burst_size          = 20
  }
}
