# Connection (the simulator prints these in its JSON line: server, username, password).
variable "vsphere_server" {
  description = "host:port of the vCenter SDK, e.g. 127.0.0.1:40527 (the provider adds https:// and /sdk)"
  type        = string
}

variable "vsphere_user" {
  type    = string
  default = "administrator@vsphere.local"
}

variable "vsphere_password" {
  type      = string
  sensitive = true
}

# Inventory names of the simulator's default model (see ../README.md).
variable "datacenter" {
  type    = string
  default = "DC0"
}

variable "datastore" {
  type    = string
  default = "LocalDS_0"
}

variable "network" {
  type    = string
  default = "VM Network"
}

variable "template" {
  type    = string
  default = "ubuntu-2204-template"
}

# One VM per entry: key = VM name; host = standalone ESXi host ("zone");
# ip = static IPv4 address set through guest customization.
variable "vms" {
  type = map(object({
    host = string
    ip   = string
  }))
  default = {
    "ko-node-0" = { host = "DC0_H0", ip = "10.10.0.10" }
  }
}

variable "ipv4_netmask" {
  type    = number
  default = 24
}

variable "ipv4_gateway" {
  type    = string
  default = "10.10.0.1"
}

variable "dns_servers" {
  type    = list(string)
  default = ["10.10.0.2"]
}

variable "domain" {
  type    = string
  default = "ko.local"
}

# Minutes the provider waits for the CustomizationSucceeded event (provider
# default 10; 0 disables the wait). ko-vcsim posts that event right after the
# VM is powered on.
variable "customize_timeout" {
  type    = number
  default = 10
}

# Minutes the provider waits for the guest to report a routable IP (provider
# default 5; 0 disables the wait). ko-vcsim reports the customized IP and a
# default route right after power-on.
variable "wait_for_guest_net_timeout" {
  type    = number
  default = 5
}
