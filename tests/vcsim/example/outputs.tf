output "vms" {
  description = "Per VM: name, uuid, moid, host, IP as reported by the (simulated) guest"
  value = {
    for k, vm in vsphere_virtual_machine.vm : k => {
      name               = vm.name
      uuid               = vm.uuid
      moid               = vm.moid
      host_system_id     = vm.host_system_id
      default_ip_address = vm.default_ip_address
      guest_ip_addresses = vm.guest_ip_addresses
    }
  }
}
