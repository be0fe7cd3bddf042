# The agent's TCP API (the Unix socket $HXE_HOME/agent.sock is always served).
# Without this block, no TCP port is opened.

server {
  host = "127.0.0.1"
  port = 7380

  auth {
    type  = "token"                  # token | jwt
    token = "env:HXE_TOKEN"          # clients: hxe --server http://host:7380 --token ...
    # type   = "jwt"
    # secret = "env:HXE_JWT_SECRET"  # HS256; tokens are checked for signature and expiry
  }

  tls {
    enabled = false
    # cert_file = "/etc/hxe/tls/cert.pem"
    # key_file  = "/etc/hxe/tls/key.pem"
  }

  cors {
    enabled         = false
    allowed_origins = []
  }

  rate_limit {
    enabled  = true
    requests = 600                   # per client address
    window   = "1m"
  }
}
