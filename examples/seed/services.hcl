services {
  service "web-app" {
    command     = "node app.js"
    working_dir = "/opt/web-app"            # relative paths: to the manifest file
    user        = "www-data"                # needs root; an error otherwise
    environment = {
      NODE_ENV     = "production"
      DATABASE_URL = "env:DATABASE_URL"     # resolved from the agent's environment at start
    }
    depends_on  = ["database"]              # started only once these are healthy
    instances   = 2                         # web-app-0, web-app-1; HXE_INSTANCE=0,1
    health_check {
      type = "http"                         # http | tcp | exec
      url = "http://localhost:3000/health"
      interval = "10s"
      timeout = "5s"
      retries = 3                           # consecutive failures before unhealthy
    }
    resources {
      cpu_limit      = "1000m"
      memory_limit   = "1Gi"
      restart_policy = "always"             # always | on-failure | never
    }
    tags = ["web", "frontend"]
  }

  service "database" {
    command     = "postgres -D /var/lib/postgresql/data"
    stop_signal = "SIGINT"                  # postgres: "fast" shutdown
    health_check {
      type = "tcp"
      port = 5432
    }
    tags = ["db"]
  }
}
