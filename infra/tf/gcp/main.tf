provider "google" {
  project = var.project
  region  = var.region
}

locals {
  # The registry prefix of every image: what [tool.mono.docker] registry must be for
  # `./mono build --push` to push where these services pull from.
  registry = "${google_artifact_registry_repository.images.location}-docker.pkg.dev/${var.project}/${google_artifact_registry_repository.images.repository_id}"
}

# The APIs used below. Left enabled on destroy: other things in the project may need them.
resource "google_project_service" "required" {
  for_each = toset(["artifactregistry.googleapis.com", "iam.googleapis.com", "run.googleapis.com"])

  service            = each.value
  disable_on_destroy = false
}

resource "google_artifact_registry_repository" "images" {
  repository_id = var.repository
  location      = var.region
  format        = "DOCKER"
  description   = "Images of the monorepo's apps, pushed by ./mono build --push."

  depends_on = [google_project_service.required]
}

# The services run as their own account rather than the project's default compute account,
# which has broad roles. It is given none: the apps call no Google API. Pulling images from
# the same project's registry is done by Cloud Run's service agent, not by this account.
resource "google_service_account" "apps" {
  account_id   = var.service_account_id
  display_name = "Monorepo apps on Cloud Run"
  description  = "Identity of the Cloud Run services made by infra/tf/gcp."

  depends_on = [google_project_service.required]
}

resource "google_cloud_run_v2_service" "app" {
  for_each = var.apps

  name                = each.key
  location            = var.region
  ingress             = "INGRESS_TRAFFIC_ALL"
  deletion_protection = var.deletion_protection

  template {
    service_account = google_service_account.apps.email

    scaling {
      min_instance_count = each.value.min_instances
      max_instance_count = each.value.max_instances
    }

    containers {
      image = "${local.registry}/${each.key}:${coalesce(each.value.image_tag, var.image_tag)}"

      # Cloud Run passes this port to the container as PORT; the images' gunicorn binds 0.0.0.0:$PORT.
      ports {
        container_port = each.value.port
      }

      resources {
        limits = {
          cpu    = each.value.cpu
          memory = each.value.memory
        }
        cpu_idle = true # CPU only while a request is served: idle instances cost less
      }

      dynamic "env" {
        for_each = each.value.env
        content {
          name  = env.key
          value = env.value
        }
      }

      # No traffic until /healthz answers (up to 2 minutes), then restart an instance whose
      # /healthz stops answering for 90 seconds.
      startup_probe {
        http_get {
          path = "/healthz"
        }
        period_seconds    = 5
        timeout_seconds   = 3
        failure_threshold = 24
      }

      liveness_probe {
        http_get {
          path = "/healthz"
        }
        period_seconds    = 30
        timeout_seconds   = 5
        failure_threshold = 3
      }
    }
  }

  depends_on = [google_project_service.required]
}

# Public apps only when asked: without this, callers need roles/run.invoker and an identity token.
resource "google_cloud_run_v2_service_iam_member" "public" {
  for_each = { for name, app in var.apps : name => app if var.allow_unauthenticated }

  project  = google_cloud_run_v2_service.app[each.key].project
  location = google_cloud_run_v2_service.app[each.key].location
  name     = google_cloud_run_v2_service.app[each.key].name
  role     = "roles/run.invoker"
  member   = "allUsers"
}
