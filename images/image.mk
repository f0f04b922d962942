# Firmware image targets (included by the Makefile).
#   make image       build/mbox.img (raw, MBR, BIOS + UEFI) and build/mbox.qcow2
#   make run-image   builds it and boots it in QEMU (images/run-image.sh)
# RUN_IMAGE_ARGS passes options to images/run-image.sh, e.g. RUN_IMAGE_ARGS=--uefi.

IMAGE_SRCS := $(filter-out images/image.mk images/run-image.sh images/debugsh.py,$(wildcard images/*))

.PHONY: image run-image

$(BUILD)/mbox.img $(BUILD)/mbox.qcow2 &: $(BUILD)/mboxd $(IMAGE_SRCS) tools/deps.sh | $(BUILD)/.deps
	@echo "  IMAGE   $(BUILD)/mbox.img $(BUILD)/mbox.qcow2"
	@images/build.sh $(BUILD)/mboxd $(BUILD)

image: $(BUILD)/mbox.img $(BUILD)/mbox.qcow2
	@for f in $^; do stat -c '%n %s' $$f | awk '{ printf "  %-20s %9d bytes (%.1f MiB)", $$1, $$2, $$2 / 1048576 }'; \
		echo "  sha256 $$(sha256sum $$f | cut -d' ' -f1)"; done

run-image: image
	images/run-image.sh --image $(BUILD)/mbox.qcow2 $(RUN_IMAGE_ARGS)
