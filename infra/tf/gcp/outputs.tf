output "registry" {
  description = "Put this in [tool.mono.docker] registry of the root pyproject.toml: ./mono build --push then pushes every image here."
  value       = local.registry
}

output "docker_host" {
  description = "The registry host, for `gcloud auth configure-docker HOST` before the first push."
  value       = "${google_artifact_registry_repository.images.location}-docker.pkg.dev"
}

output "service_urls" {
  description = "App name -> URL of its Cloud Run service."
  value       = { for name, service in google_cloud_run_v2_service.app : name => service.uri }
}

output "images" {
  description = "App name -> image reference each service runs."
  value       = { for name, service in google_cloud_run_v2_service.app : name => service.template[0].containers[0].image }
}

output "service_account" {
  description = "Email of the service account the services run as; grant it roles if an app comes to need Google APIs."
  value       = google_service_account.apps.email
}
