#!/usr/bin/env bash
# fake_kubernetes.sh LOCAL_RECIPE LOCAL_FILES OUT_DIR — the test bundle's recipe and files plus
# what the Kubernetes components phase installs, made here: a kubernetes-server archive laid out as
# the release's (kubernetes/server/bin/) whose kubeadm, kubelet and kubectl are scripts that print
# their version, and whose image archives (and the pause and CoreDNS images) are the test
# bundle's busybox image under the names the release gives them (kube-proxy-amd64:v1.34.1...).
# Writes OUT_DIR/recipe.toml and OUT_DIR/files/. Only the binaries are stand-ins: the archive
# layout, the image names and their import into containerd are the real ones.
set -euo pipefail
recipe=$1 files=$2 out=$3
version=v1.34.1
mkdir -p "$out/files" "$out/work"
for f in "$files"/*; do ln -sf "$f" "$out/files/"; done
image() { # NAME:TAG OUT.tar — busybox renamed
    local d; d=$(mktemp -d "$out/work/img.XXXX")
    tar -xf "$files/busybox-image.tar" -C "$d"
    sed -i "s|docker.io/local/busybox:test|$1|" "$d/manifest.json"
    tar --numeric-owner --owner=0 --group=0 --sort=name --mtime=@0 -C "$d" -cf "$2" .
}
bin=$out/work/kubernetes/server/bin
mkdir -p "$bin"
for b in kubeadm kubectl; do printf '#!/bin/sh\necho %s\n' "$version" >"$bin/$b"; done
printf '#!/bin/sh\necho "Kubernetes %s"\n' "$version" >"$bin/kubelet"
chmod 0755 "$bin"/*
for c in kube-apiserver kube-controller-manager kube-scheduler kube-proxy; do
    image "registry.k8s.io/$c-amd64:$version" "$bin/$c.tar"
    echo "$version" >"$bin/$c.docker_tag"
done
tar --numeric-owner --owner=0 --group=0 --sort=name --mtime=@0 -C "$out/work" -czf "$out/files/kubernetes-server-linux-amd64.tar.gz" kubernetes
image registry.k8s.io/pause:3.10 "$out/files/pause.tar"
image registry.k8s.io/coredns/coredns:v1.12.1 "$out/files/coredns.tar"
sed 's/^name = .*/name = "local-fake-kubernetes"\nkubernetes_version = "'"$version"'"/' "$recipe" >"$out/recipe.toml"
add() { # component kind path file
    printf '[[file]]\ncomponent = "%s"\nversion = "%s"\narch = "amd64"\nkind = "%s"\npath = "%s"\nurl = "local:%s"\nlocal = "%s"\nsha256 = "%s"\nchecksum_source = "made by the test"\n\n' \
        "$1" "$version" "$2" "$3" "$4" "$4" "$(sha256sum "$out/files/$4" | cut -d' ' -f1)" >>"$out/recipe.toml"
}
add kubernetes-server binary kubernetes/server/amd64/kubernetes-server-linux-amd64.tar.gz kubernetes-server-linux-amd64.tar.gz
add pause image images/pause.tar pause.tar
add coredns image images/coredns.tar coredns.tar
