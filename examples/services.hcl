# The demo's services: a cache, a web app that waits for it, and workers.
# Try: hxe diff -f examples/services.hcl, then hxe apply -f examples/services.hcl --wait

service "cache" {
  command = "node apps/cache.mjs"
  environment = {
    PORT = "18079"
  }
  health_check {
    type     = "tcp"
    port     = 18079
    interval = "1s"
  }
  tags = ["demo"]
}

service "web" {
  command    = "node apps/web.mjs"
  depends_on = ["cache"]
  environment = {
    PORT     = "18080"
    NODE_ENV = "production"
  }
  health_check {
    type     = "http"
    url      = "http://127.0.0.1:18080/health"
    interval = "1s"
    timeout  = "500ms"
    retries  = 3
  }
  resources {
    memory_limit   = "256Mi"
    restart_policy = "always"
  }
  tags = ["demo", "frontend"]
}
