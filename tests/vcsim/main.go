// ko-vcsim: a small vCenter simulator for offline Terraform tests.
//
// It wraps govmomi's simulator library (Debian package
// golang-github-vmware-govmomi-dev, govmomi 0.24), which ships the library but
// not vcsim's main. Build offline (see ./build):
//
//	GO111MODULE=off GOPATH=$dir:/usr/share/gocode go build -o ko-vcsim main.go
//
// On start it prints ONE JSON line on stdout (url, credentials, thumbprint,
// inventory names), then serves until SIGTERM/SIGINT.
//
// Differences from a stock vcsim, all made here rather than in the library,
// each needed for the Terraform vsphere provider 2.0.2 to work without drift:
//   - login is checked: only -username/-password are accepted, on the SOAP
//     API (SessionManager.Login) and on the REST session endpoint
//     (POST /rest/com/vmware/cis/session, basic auth) that the provider uses;
//   - TLS uses a fresh ECDSA certificate for 127.0.0.1/::1/localhost (the
//     library's built-in RSA-1024 one is refused by OpenSSL clients);
//   - templates (-template) are created on the first standalone host of the
//     first datacenter: 2 vCPU, 2 GB, pvscsi, one 20 GB thin disk, one vmxnet3
//     NIC (with the ResourceAllocation and PCI unit number the provider expects);
//   - cloning a template lands the clone on the host of the requested resource
//     pool (the library always used the template's host), gives each clone its
//     own copy of the template's devices (the library shared them, corrupting
//     disks under parallel clones) and reports swapPlacement "inherit";
//   - guest customization posts CustomizationSucceeded and reports a default
//     route, so the provider's customize and guest-network waiters finish;
//   - clusters get a ComputeResource alias so VMs can be placed in a cluster,
//     and DVSManagerLookupDvPortGroup is added so NICs can use DC0_DVPG0.
//
// Extra mode: -login-check -url URL -username U -password P tries a SOAP and a
// REST login; exit 0 if both work, 1 if both are refused, 3 if mixed.
package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"io/ioutil"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path"
	"reflect"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/event"
	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	pbmsim "github.com/vmware/govmomi/pbm/simulator"
	"github.com/vmware/govmomi/simulator"
	vapisim "github.com/vmware/govmomi/vapi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// templateVM wraps a simulator VM so that CloneVM_Task places the clone on
// the host of the requested pool (or spec.location.host) instead of always
// on the template's host.
//
// The simulator's property collector needs the wrapper's first field to be
// the embedded object (not a pointer), so the VM is copied into the wrapper
// and the wrapper replaces it in the registry. Library code that type-asserts
// *simulator.VirtualMachine on a template (PowerOnMultiVM, DVS host removal,
// performance queries, snapshots) would panic; none of it applies to a
// template used for cloning.
type templateVM struct {
	simulator.VirtualMachine
}

func (vm *templateVM) CloneVMTask(ctx *simulator.Context, req *types.CloneVM_Task) soap.HasFault {
	target := req.Spec.Location.Host
	if target == nil && req.Spec.Location.Pool != nil {
		target = hostOfPool(*req.Spec.Location.Pool)
	}
	if target != nil && vm.Runtime.Host != nil {
		orig := *vm.Runtime.Host
		t := *target
		vm.Runtime.Host = &t
		// Task.Run is synchronous in this simulator version and the dispatcher
		// holds this object's lock, so the swap is not seen by other calls.
		defer func() { vm.Runtime.Host = &orig }()
	}
	// The library builds the clone from the template's own device objects
	// (pointers) and blanks the disk file names on them, so concurrent clones
	// share and clobber each other's disk backings ("could not parse path from
	// filename", nil-pointer panics on destroy). Give every clone a deep copy.
	if vm.Config != nil {
		origDevices := vm.Config.Hardware.Device
		vm.Config.Hardware.Device = deepCopy(reflect.ValueOf(origDevices)).Interface().([]types.BaseVirtualDevice)
		defer func() { vm.Config.Hardware.Device = origDevices }()
	}
	res := vm.VirtualMachine.CloneVMTask(ctx, req)

	// The library ignores config.swapPlacement (on create and reconfigure),
	// so a clone would report "" and the provider would plan an in-place
	// update of swap_placement_policy forever. Give clones the template's
	// value (vCenter's default "inherit") or the one asked for in the clone spec.
	if body, ok := res.(*methods.CloneVM_TaskBody); ok && body.Res != nil {
		if task, ok := simulator.Map.Get(body.Res.Returnval).(*simulator.Task); ok && task.Info.Error == nil {
			if ref, ok := task.Info.Result.(types.ManagedObjectReference); ok {
				if clone, ok := simulator.Map.Get(ref).(*simulator.VirtualMachine); ok && clone.Config != nil {
					swap := vm.Config.SwapPlacement
					if req.Spec.Config != nil && req.Spec.Config.SwapPlacement != "" {
						swap = req.Spec.Config.SwapPlacement
					}
					clone.Config.SwapPlacement = swap
				}
			}
		}
	}
	return res
}

// deepCopy copies pointers, interfaces, slices and maps recursively (exported
// struct fields; unexported ones are copied shallowly).
func deepCopy(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Ptr:
		if v.IsNil() {
			return reflect.Zero(v.Type())
		}
		n := reflect.New(v.Elem().Type())
		n.Elem().Set(deepCopy(v.Elem()))
		return n
	case reflect.Interface:
		if v.IsNil() {
			return reflect.Zero(v.Type())
		}
		n := reflect.New(v.Type()).Elem()
		n.Set(deepCopy(v.Elem()))
		return n
	case reflect.Struct:
		n := reflect.New(v.Type()).Elem()
		n.Set(v)
		for i := 0; i < v.NumField(); i++ {
			if n.Field(i).CanSet() {
				n.Field(i).Set(deepCopy(v.Field(i)))
			}
		}
		return n
	case reflect.Slice:
		if v.IsNil() {
			return reflect.Zero(v.Type())
		}
		n := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := 0; i < v.Len(); i++ {
			n.Index(i).Set(deepCopy(v.Index(i)))
		}
		return n
	case reflect.Map:
		if v.IsNil() {
			return reflect.Zero(v.Type())
		}
		n := reflect.MakeMapWithSize(v.Type(), v.Len())
		it := v.MapRange()
		for it.Next() {
			n.SetMapIndex(deepCopy(it.Key()), deepCopy(it.Value()))
		}
		return n
	default:
		return v
	}
}

// hostOfPool returns the host a clone into the given pool should run on.
func hostOfPool(ref types.ManagedObjectReference) *types.ManagedObjectReference {
	var owner types.ManagedObjectReference
	switch p := simulator.Map.Get(ref).(type) {
	case *simulator.ResourcePool:
		owner = p.Owner
	default:
		return nil
	}
	var hosts []types.ManagedObjectReference
	switch cr := simulator.Map.Get(owner).(type) {
	case *mo.ComputeResource:
		hosts = cr.Host
	case *simulator.ClusterComputeResource:
		hosts = cr.Host
	}
	// Standalone host: its only host. Cluster: the host with the fewest VMs.
	var best *types.ManagedObjectReference
	fewest := -1
	for i := range hosts {
		h, ok := simulator.Map.Get(hosts[i]).(*simulator.HostSystem)
		if !ok {
			continue
		}
		n := 0
		simulator.Map.WithLock(h, func() { n = len(h.Vm) })
		if fewest < 0 || n < fewest {
			fewest, best = n, &hosts[i]
		}
	}
	return best
}

// addClusterAliases registers, for every cluster, a read-only alias object
// {Type: ComputeResource, Value: <cluster id>}. The vsphere provider 2.0.2
// looks a cluster up as a "ComputeResource" with the cluster's id (to reach
// its environment browser); vCenter resolves that by id, the simulator's
// registry by type+id, so without the alias a VM in a cluster resource pool
// fails with "cannot find OS family ... has already been deleted".
func addClusterAliases() {
	for _, e := range simulator.Map.All("ClusterComputeResource") {
		c, ok := e.(*simulator.ClusterComputeResource)
		if !ok {
			continue
		}
		alias := c.ComputeResource
		alias.Self = types.ManagedObjectReference{Type: "ComputeResource", Value: c.Self.Value}
		simulator.Map.Put(&alias)
	}
}

// dvsManager adds DVSManagerLookupDvPortGroup, which the library lacks and
// the provider calls when a VM's network_interface is on a distributed port
// group (e.g. DC0_DVPG0).
type dvsManager struct {
	mo.DistributedVirtualSwitchManager
}

func (m *dvsManager) DVSManagerLookupDvPortGroup(req *types.DVSManagerLookupDvPortGroup) soap.HasFault {
	body := &methods.DVSManagerLookupDvPortGroupBody{}
	for _, e := range simulator.Map.All("DistributedVirtualPortgroup") {
		pg, ok := e.(*simulator.DistributedVirtualPortgroup)
		if !ok || pg.Key != req.PortgroupKey || pg.Config.DistributedVirtualSwitch == nil {
			continue
		}
		if dvs, ok := simulator.Map.Get(*pg.Config.DistributedVirtualSwitch).(*simulator.DistributedVirtualSwitch); ok && dvs.Uuid == req.SwitchUuid {
			ref := pg.Self
			body.Res = &types.DVSManagerLookupDvPortGroupResponse{Returnval: &ref}
			return body
		}
	}
	body.Fault_ = simulator.Fault("", &types.NotFound{})
	return body
}

func addDVSManager() {
	if ref := simulator.Map.Get(types.ManagedObjectReference{Type: "DistributedVirtualSwitchManager", Value: "DVSManager"}); ref != nil {
		simulator.Map.Put(&dvsManager{mo.DistributedVirtualSwitchManager{Self: ref.Reference()}})
	}
}

// restAuth only lets REST basic-auth logins with the right credentials through.
func restAuth(user, pass string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); ok && (u != user || p != pass) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"type":"com.vmware.vapi.std.errors.unauthenticated","value":{"messages":[]}}`))
			return
		}
		next.ServeHTTP(w, r)
	})
}

type inventory struct {
	Datacenters   []string `json:"datacenters"`
	Hosts         []string `json:"hosts"`
	Clusters      []string `json:"clusters"`
	ResourcePools []string `json:"resource_pools"`
	Datastores    []string `json:"datastores"`
	Networks      []string `json:"networks"`
	Templates     []string `json:"templates"`
	VMs           []string `json:"vms"`
}

type banner struct {
	URL        string `json:"url"`
	Server     string `json:"server"`
	Username   string `json:"username"`
	Password   string `json:"password"`
	Insecure   bool   `json:"insecure"`
	Thumbprint string `json:"thumbprint"`
	CAFile     string `json:"ca_file,omitempty"`
	PID        int    `json:"pid"`
	inventory
}

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on (port 0 = any free port)")
	username := flag.String("username", "administrator@vsphere.local", "the only user name accepted")
	password := flag.String("password", "KoVcsim-Pass1!", "the only password accepted")
	nDC := flag.Int("datacenter", 1, "datacenters (DC0, DC1, ...)")
	nHost := flag.Int("host", 3, "standalone hosts per datacenter (DC0_H0, DC0_H1, ...)")
	nCluster := flag.Int("cluster", 0, "clusters per datacenter (DC0_C0, ...)")
	nClusterHost := flag.Int("cluster-host", 3, "hosts per cluster (DC0_C0_H0, ...)")
	nPool := flag.Int("pool", 0, "extra resource pools per cluster")
	nVM := flag.Int("vm", 0, "powered-on VMs per host/cluster resource pool (DC0_H0_VM0, ...)")
	nDS := flag.Int("ds", 1, "local datastores, mounted on every host of the datacenter (LocalDS_0, ...)")
	nPG := flag.Int("pg", 1, "distributed port groups per datacenter (DC0_DVPG0, ...)")
	templates := flag.String("template", "ubuntu-2204-template", "comma-separated template names created on the first standalone host (empty: none)")
	guestID := flag.String("template-guest-id", "ubuntu64Guest", "guest id of the templates")
	diskGB := flag.Int("template-disk-gb", 20, "disk size of the templates in GB")
	tplNet := flag.String("template-network", "VM Network", "network of the templates' NIC")
	caFile := flag.String("ca-file", "", "if set, write the server's TLS certificate (PEM) here")
	loginCheck := flag.Bool("login-check", false, "only try a SOAP and a REST login to -url with -username/-password; exit 0 if both work, 1 if both are refused, 3 if only one works")
	checkURL := flag.String("url", "", "SDK url for -login-check")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("ko-vcsim: ")

	if *loginCheck {
		os.Exit(doLoginCheck(*checkURL, *username, *password))
	}

	if *nHost < 1 && *templates != "" {
		log.Fatal("-template needs at least one standalone host (-host >= 1)")
	}

	// The library panics if it cannot listen; fail with a readable message.
	if l, err := net.Listen("tcp", *listen); err != nil {
		log.Fatalf("cannot listen on %s: %v", *listen, err)
	} else {
		_ = l.Close()
	}

	model := simulator.VPX()
	model.Datacenter = *nDC
	model.Host = *nHost
	model.Cluster = *nCluster
	model.ClusterHost = *nClusterHost
	model.Pool = *nPool
	model.Machine = *nVM
	model.Datastore = *nDS
	model.Portgroup = *nPG
	if err := model.Create(); err != nil {
		log.Fatalf("create model: %v", err)
	}
	defer model.Remove()

	cert, err := selfSignedCert()
	if err != nil {
		log.Fatalf("tls certificate: %v", err)
	}
	// Without Certificates the library would use its built-in RSA-1024 test
	// certificate, which OpenSSL clients (curl) reject as "key too weak".
	addClusterAliases()
	addDVSManager()

	model.Service.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	// Endpoints are registered by hand below so that the REST one checks credentials.
	model.Service.RegisterEndpoints = false
	model.Service.Listen = &url.URL{Host: *listen, User: url.UserPassword(*username, *password)}

	s := model.Service.NewServer()
	defer s.Close()

	model.Service.RegisterSDK(pbmsim.New())
	restPath, restHandler := vapisim.New(s.URL, simulator.Map.OptionManager().Setting)
	model.Service.Handle(restPath, restAuth(*username, *password, restHandler))

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	c, err := govmomi.NewClient(ctx, s.URL, true)
	if err != nil {
		log.Fatalf("login to own server: %v", err)
	}

	var names []string
	for _, n := range strings.Split(*templates, ",") {
		if n = strings.TrimSpace(n); n != "" {
			names = append(names, n)
		}
	}
	if err := createTemplates(ctx, c, names, *guestID, *diskGB, *tplNet); err != nil {
		log.Fatalf("create templates: %v", err)
	}
	inv, err := listInventory(ctx, c)
	if err != nil {
		log.Fatalf("list inventory: %v", err)
	}
	_ = c.Logout(ctx)
	cancel()

	b := banner{
		URL:        s.URL.Scheme + "://" + s.URL.Host + s.URL.Path,
		Server:     s.URL.Host,
		Username:   *username,
		Password:   *password,
		Insecure:   true,
		Thumbprint: s.CertificateInfo().ThumbprintSHA1,
		PID:        os.Getpid(),
		inventory:  inv,
	}
	if *caFile != "" {
		data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw})
		if err := ioutil.WriteFile(*caFile, data, 0o644); err != nil {
			log.Fatalf("write ca file: %v", err)
		}
		b.CAFile = *caFile
	}
	watchCtx, stopWatch := context.WithCancel(context.Background())
	defer stopWatch()
	go customizationEvents(watchCtx, s.URL)

	line, _ := json.Marshal(b)
	fmt.Println(string(line))
	_ = os.Stdout.Sync()

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	got := <-sig
	log.Printf("received %v, shutting down", got)
	// deferred: s.Close(), model.Remove() (removes the datastore temp dirs)
}

// selfSignedCert makes a fresh ECDSA P-256 certificate for 127.0.0.1, ::1 and
// localhost, valid for one year, that is also its own CA (see -ca-file).
func selfSignedCert() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "ko-vcsim", Organization: []string{"ko-vcsim"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

func createTemplates(ctx context.Context, c *govmomi.Client, names []string, guestID string, diskGB int, netName string) error {
	if len(names) == 0 {
		return nil
	}
	finder := find.NewFinder(c.Client, false)
	dc, err := finder.DefaultDatacenter(ctx)
	if err != nil {
		dcs, err2 := finder.DatacenterList(ctx, "*")
		if err2 != nil || len(dcs) == 0 {
			return fmt.Errorf("no datacenter: %v", err)
		}
		dc = dcs[0]
	}
	finder.SetDatacenter(dc)
	folders, err := dc.Folders(ctx)
	if err != nil {
		return err
	}
	host, err := finder.HostSystem(ctx, path.Join(dc.InventoryPath, "host", dc.Name()+"_H0", dc.Name()+"_H0"))
	if err != nil {
		return fmt.Errorf("first standalone host: %v", err)
	}
	pool, err := host.ResourcePool(ctx)
	if err != nil {
		return err
	}
	dss, err := finder.DatastoreList(ctx, "*")
	if err != nil || len(dss) == 0 {
		return fmt.Errorf("no datastore: %v", err)
	}
	ds := dss[0]
	network, err := finder.Network(ctx, netName)
	if err != nil {
		return fmt.Errorf("network %q: %v", netName, err)
	}
	backing, err := network.EthernetCardBackingInfo(ctx)
	if err != nil {
		return err
	}

	for _, name := range names {
		var devices object.VirtualDeviceList
		scsi, err := devices.CreateSCSIController("pvscsi")
		if err != nil {
			return err
		}
		devices = append(devices, scsi)
		disk := devices.CreateDisk(scsi.(types.BaseVirtualController), ds.Reference(),
			fmt.Sprintf("[%s] %s/%s.vmdk", ds.Name(), name, name))
		disk.CapacityInKB = int64(diskGB) * 1024 * 1024
		if b, ok := disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo); ok {
			b.ThinProvisioned = types.NewBool(true)
		}
		devices = append(devices, disk)
		nic, err := devices.CreateEthernetCard("vmxnet3", backing)
		if err != nil {
			return err
		}
		// The provider's VM data source dereferences ResourceAllocation
		// (nil-pointer crash in vsphere provider 2.0.2 otherwise).
		card := nic.(types.BaseVirtualEthernetCard).GetVirtualEthernetCard()
		card.ResourceAllocation = &types.VirtualEthernetCardResourceAllocation{
			Reservation: types.NewInt64(0),
			Limit:       types.NewInt64(-1),
			Share:       types.SharesInfo{Level: types.SharesLevelNormal, Shares: 50},
		}
		// First PCI slot for NICs, like real vSphere (the provider indexes NICs by unit-7).
		card.ControllerKey = 100
		card.UnitNumber = types.NewInt32(7)
		card.Connectable = &types.VirtualDeviceConnectInfo{StartConnected: true, AllowGuestControl: true, Status: "untried"}
		devices = append(devices, nic)
		spec := types.VirtualMachineConfigSpec{
			Name:     name,
			GuestId:  guestID,
			NumCPUs:  2,
			MemoryMB: 2048,
			Files:    &types.VirtualMachineFileInfo{VmPathName: fmt.Sprintf("[%s]", ds.Name())},
		}
		spec.DeviceChange, err = devices.ConfigSpec(types.VirtualDeviceConfigSpecOperationAdd)
		if err != nil {
			return err
		}
		task, err := folders.VmFolder.CreateVM(ctx, spec, pool, host)
		if err != nil {
			return err
		}
		info, err := task.WaitForResult(ctx, nil)
		if err != nil {
			return fmt.Errorf("create %s: %v", name, err)
		}
		ref := info.Result.(types.ManagedObjectReference)
		vm := object.NewVirtualMachine(c.Client, ref)
		if err := vm.MarkAsTemplate(ctx); err != nil {
			return fmt.Errorf("mark %s as template: %v", name, err)
		}
		if sv, ok := simulator.Map.Get(ref).(*simulator.VirtualMachine); ok {
			sv.Config.SwapPlacement = string(types.VirtualMachineConfigInfoSwapPlacementTypeInherit)
			simulator.Map.Put(&templateVM{*sv})
		}
	}
	return nil
}

func listInventory(ctx context.Context, c *govmomi.Client) (inventory, error) {
	inv := inventory{}
	finder := find.NewFinder(c.Client, false)
	dcs, err := finder.DatacenterList(ctx, "*")
	if err != nil {
		return inv, err
	}
	for _, dc := range dcs {
		inv.Datacenters = append(inv.Datacenters, dc.Name())
		finder.SetDatacenter(dc)
		if hs, err := finder.HostSystemList(ctx, "*/*"); err == nil {
			for _, h := range hs {
				inv.Hosts = append(inv.Hosts, h.InventoryPath)
			}
		}
		if cs, err := finder.ClusterComputeResourceList(ctx, "*"); err == nil {
			for _, c := range cs {
				inv.Clusters = append(inv.Clusters, c.InventoryPath)
			}
		}
		if ps, err := finder.ResourcePoolListAll(ctx, "*"); err == nil {
			for _, p := range ps {
				inv.ResourcePools = append(inv.ResourcePools, p.InventoryPath)
			}
		}
		if ds, err := finder.DatastoreList(ctx, "*"); err == nil {
			for _, d := range ds {
				inv.Datastores = append(inv.Datastores, d.InventoryPath)
			}
		}
		if ns, err := finder.NetworkList(ctx, "*"); err == nil {
			for _, n := range ns {
				inv.Networks = append(inv.Networks, n.GetInventoryPath())
			}
		}
		if vms, err := finder.VirtualMachineList(ctx, "*"); err == nil {
			for _, vm := range vms {
				var m mo.VirtualMachine
				if err := vm.Properties(ctx, vm.Reference(), []string{"config.template"}, &m); err == nil && m.Config != nil && m.Config.Template {
					inv.Templates = append(inv.Templates, vm.InventoryPath)
				} else {
					inv.VMs = append(inv.VMs, vm.InventoryPath)
				}
			}
		}
	}
	for _, l := range []*[]string{&inv.Datacenters, &inv.Hosts, &inv.Clusters, &inv.ResourcePools, &inv.Datastores, &inv.Networks, &inv.Templates, &inv.VMs} {
		if *l == nil {
			*l = []string{} // JSON [] rather than null
		}
		sort.Strings(*l)
	}
	return inv, nil
}

// customizationEvents fills two gaps of the library's guest customization,
// which it applies on power-on (guest.net, guest.ipAddress, guest.hostName from
// the CustomizeVM spec) but without any of the signals the Terraform vsphere
// provider waits for:
//   - it posts CustomizationStartedEvent + CustomizationSucceeded, which the
//     provider waits for (clone.customize.timeout, default 10 minutes);
//   - it sets guest.ipStack with a default route (gateway: the .1 address of
//     the VM's first IPv4 /24 - the library does not keep the spec's gateway)
//     and re-announces guest.net a few times over the next 20 s, so that the
//     provider's wait_for_guest_net_routable check (default true) passes: that
//     check only succeeds on a guest.net change seen after the route.
//
// It polls the registry every 100 ms.
func customizationEvents(ctx context.Context, u *url.URL) {
	pending := map[types.ManagedObjectReference]bool{}
	type retouch struct {
		vm *simulator.VirtualMachine
		at time.Time
	}
	var retouches []retouch
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		now := time.Now()
		rest := retouches[:0]
		for _, r := range retouches {
			if now.Before(r.at) {
				rest = append(rest, r)
				continue
			}
			vm := r.vm
			simulator.Map.WithLock(vm, func() {
				if vm.Guest != nil && simulator.Map.Get(vm.Self) != nil {
					simulator.Map.Update(vm, []types.PropertyChange{{Name: "guest.net", Val: vm.Guest.Net}})
				}
			})
		}
		retouches = rest

		var done []types.BaseEvent
		for _, e := range simulator.Map.All("VirtualMachine") {
			vm, ok := e.(*simulator.VirtualMachine)
			if !ok {
				continue // templates (templateVM) are never customized
			}
			var id string
			simulator.Map.WithLock(vm, func() {
				if vm.Config != nil && vm.Config.Tools != nil {
					id = vm.Config.Tools.PendingCustomization
				}
			})
			if id != "" {
				pending[vm.Self] = true
				continue
			}
			if !pending[vm.Self] {
				continue
			}
			delete(pending, vm.Self)

			var ev types.VmEvent
			simulator.Map.WithLock(vm, func() {
				ev.Vm = &types.VmEventArgument{EntityEventArgument: types.EntityEventArgument{Name: vm.Name}, Vm: vm.Self}
				if vm.Runtime.Host != nil {
					ev.Host = &types.HostEventArgument{Host: *vm.Runtime.Host}
				}
				if gw := defaultGateway(vm.Guest); gw != "" {
					stack := []types.GuestStackInfo{{
						IpRouteConfig: &types.NetIpRouteConfigInfo{IpRoute: []types.NetIpRouteConfigInfoIpRoute{{
							Network: "0.0.0.0", PrefixLength: 0,
							Gateway: types.NetIpRouteConfigInfoGateway{IpAddress: gw, Device: "0"},
						}}},
					}}
					simulator.Map.Update(vm, []types.PropertyChange{{Name: "guest.ipStack", Val: stack}})
				}
			})
			for _, d := range []time.Duration{time.Second, 3 * time.Second, 6 * time.Second, 10 * time.Second, 20 * time.Second} {
				retouches = append(retouches, retouch{vm, now.Add(d)})
			}
			ev.FullFormattedMessage = "Started customization of VM " + vm.Name
			started := &types.CustomizationStartedEvent{CustomizationEvent: types.CustomizationEvent{VmEvent: ev}}
			okEv := ev
			okEv.FullFormattedMessage = "Customization of VM " + vm.Name + " succeeded"
			succeeded := &types.CustomizationSucceeded{CustomizationEvent: types.CustomizationEvent{VmEvent: okEv}}
			done = append(done, started, succeeded)
		}
		if len(done) == 0 {
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		c, err := govmomi.NewClient(cctx, u, true)
		if err != nil {
			log.Printf("customization events: login: %v", err)
			cancel()
			continue
		}
		m := event.NewManager(c.Client)
		for _, e := range done {
			if err := m.PostEvent(cctx, e); err != nil {
				log.Printf("customization events: post: %v", err)
			}
		}
		_ = c.Logout(cctx)
		cancel()
	}
}

// defaultGateway returns x.y.z.1 for the first IPv4 address of the guest's NICs.
func defaultGateway(g *types.GuestInfo) string {
	if g == nil {
		return ""
	}
	for _, n := range g.Net {
		for _, a := range n.IpAddress {
			if ip := net.ParseIP(a).To4(); ip != nil {
				return net.IPv4(ip[0], ip[1], ip[2], 1).String()
			}
		}
	}
	return ""
}

// doLoginCheck tries a SOAP login and a REST session login (basic auth) and
// returns 0 if both work, 1 if both are refused, 3 if only one works.
func doLoginCheck(raw, user, pass string) int {
	u, err := url.Parse(raw)
	if err != nil || raw == "" {
		log.Printf("bad -url %q", raw)
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	soapOK := false
	su := *u
	su.User = url.UserPassword(user, pass)
	if c, err := govmomi.NewClient(ctx, &su, true); err != nil {
		log.Printf("SOAP login as %q failed: %v", user, err)
	} else {
		soapOK = true
		_ = c.Logout(ctx)
		log.Printf("SOAP login as %q ok", user)
	}

	restOK := false
	ru := *u
	ru.Path = "/rest/com/vmware/cis/session"
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, ru.String(), nil)
	req.SetBasicAuth(user, pass)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	if resp, err := hc.Do(req); err != nil {
		log.Printf("REST login: %v", err)
	} else {
		_ = resp.Body.Close()
		restOK = resp.StatusCode == http.StatusOK
		log.Printf("REST login as %q: HTTP %d", user, resp.StatusCode)
	}

	switch {
	case soapOK && restOK:
		return 0
	case !soapOK && !restOK:
		return 1
	default:
		return 3
	}
}
