variable "project" {
  description = "ID of the Google Cloud project that holds the registry and the services."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project))
    error_message = "project must be a project ID (not its name or number): 6 to 30 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "region" {
  description = "Region of the registry and of every service, e.g. us-central1 or europe-west1."
  type        = string
  default     = "us-central1"

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+$", var.region))
    error_message = "region must be a Google Cloud region such as us-central1 or europe-west1 (not a zone)."
  }
}

variable "image_tag" {
  description = "Tag of the app images to deploy, as pushed by ./mono build --push: a --tag you gave, git-SHORTSHA, or an app VERSION."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image_tag))
    error_message = "image_tag must be a Docker tag: letters, digits, '_', '.' and '-', at most 128 characters, not starting with '.' or '-'."
  }
}

variable "repository" {
  description = "ID of the Artifact Registry repository the images are pushed to."
  type        = string
  default     = "mono-apps"

  validation {
    condition     = can(regex("^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$", var.repository))
    error_message = "repository must be lower-case letters, digits and hyphens, start with a letter and end with a letter or digit (at most 63)."
  }
}

variable "service_account_id" {
  description = "Account ID of the service account the services run as (it is given no roles)."
  type        = string
  default     = "mono-apps-run"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.service_account_id))
    error_message = "service_account_id must be 6 to 30 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "allow_unauthenticated" {
  description = "Grant roles/run.invoker to allUsers on every service, making the apps public. Off: callers need run.invoker themselves."
  type        = bool
  default     = false
}

variable "deletion_protection" {
  description = "Refuse to delete services (terraform destroy, or an app dropped from apps) until this is set to false and applied."
  type        = bool
  default     = false
}

variable "apps" {
  description = "The apps to deploy, one Cloud Run service each: app name (as in ./mono list, which is also its image name) -> settings. Every app of the repository needs an entry; {} takes the defaults."
  type = map(object({
    port          = optional(number, 5000)
    cpu           = optional(string, "1")
    memory        = optional(string, "512Mi")
    min_instances = optional(number, 0)
    max_instances = optional(number, 2)
    env           = optional(map(string), {})
    image_tag     = optional(string) # overrides var.image_tag for this app
  }))
  default = {
    "flask-app-1"   = {}
    "iris-explorer" = {}
  }

  validation {
    condition     = alltrue([for name in keys(var.apps) : can(regex("^[a-z]([a-z0-9-]{0,47}[a-z0-9])?$", name))])
    error_message = "Each app name must be a valid Cloud Run service name: lower-case letters, digits and hyphens, starting with a letter, at most 49 characters."
  }

  validation {
    condition     = alltrue([for app in values(var.apps) : app.port >= 1 && app.port <= 65535 && floor(app.port) == app.port])
    error_message = "Each app's port must be a whole number from 1 to 65535 (the images listen on 5000)."
  }

  validation {
    condition     = alltrue([for app in values(var.apps) : app.min_instances >= 0 && app.max_instances >= 1 && app.min_instances <= app.max_instances])
    error_message = "Each app needs 0 <= min_instances <= max_instances and max_instances >= 1."
  }

  validation {
    condition = alltrue([
      for app in values(var.apps) :
      can(regex("^([0-9]+|[0-9]*\\.[0-9]+|[0-9]+m)$", app.cpu)) && can(regex("^[0-9]+(Mi|Gi)$", app.memory))
    ])
    error_message = "Each app's cpu must look like \"1\", \"2\" or \"500m\" and its memory like \"512Mi\" or \"2Gi\"."
  }

  validation {
    condition = alltrue(flatten([
      for app in values(var.apps) : [
        for key in keys(app.env) : can(regex("^[A-Za-z_][A-Za-z0-9_]*$", key)) && !contains(["PORT", "K_SERVICE", "K_REVISION", "K_CONFIGURATION"], key)
      ]
    ]))
    error_message = "env names must be identifiers; PORT, K_SERVICE, K_REVISION and K_CONFIGURATION are set by Cloud Run (PORT is the app's port)."
  }

  validation {
    condition     = alltrue([for app in values(var.apps) : app.image_tag == null || can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", app.image_tag))])
    error_message = "An app's image_tag, when set, must be a Docker tag: letters, digits, '_', '.' and '-', at most 128 characters."
  }
}
