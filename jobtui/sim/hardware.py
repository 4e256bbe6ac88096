"""The hardware flavors the simulated Hub rents out, with the published hourly prices."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Flavor:
    """One machine type. `vram_gb` is the memory of ONE accelerator; the Hub lists the total."""

    name: str
    pretty_name: str
    vcpus: int
    ram_gb: int
    storage_gb: int
    hourly_usd: float
    gpu_model: str | None = None
    gpu_count: int = 0
    vram_gb: int = 0

    @property
    def unit_cost_micro_usd(self) -> int:
        return round(self.hourly_usd * 1e6 / 60)

    def to_json(self) -> dict[str, Any]:
        accelerator = None
        if self.gpu_model is not None:
            accelerator = {
                "type": "gpu",
                "model": self.gpu_model,
                "quantity": str(self.gpu_count),
                "vram": f"{self.vram_gb * self.gpu_count} GB",
                "manufacturer": "Nvidia",
            }
        return {
            "name": self.name,
            "prettyName": self.pretty_name,
            "cpu": f"{self.vcpus} vCPU",
            "ram": f"{self.ram_gb} GB",
            "ephemeralStorage": f"{self.storage_gb} GB",
            "accelerator": accelerator,
            "unitCostMicroUSD": self.unit_cost_micro_usd,
            "unitCostUSD": round(self.hourly_usd / 60, 6),
            "unitLabel": "minute",
        }


def _gpu(
    name: str,
    pretty: str,
    vcpus: int,
    ram: int,
    disk: int,
    usd: float,
    model: str,
    n: int,
    vram: int,
) -> Flavor:
    return Flavor(name, pretty, vcpus, ram, disk, usd, gpu_model=model, gpu_count=n, vram_gb=vram)


_RTX = "RTX PRO 6000"
# Specs and prices as published (huggingface.co/docs/hub/jobs-pricing and `hf jobs hardware`).
FLAVORS: dict[str, Flavor] = {
    f.name: f
    for f in (
        Flavor("cpu-basic", "CPU Basic", 2, 16, 50, 0.01),
        Flavor("cpu-upgrade", "CPU Upgrade", 8, 32, 50, 0.03),
        Flavor("cpu-performance", "CPU Performance", 32, 256, 1024, 1.90),
        Flavor("cpu-xl", "CPU XL", 16, 124, 1000, 1.00),
        _gpu("t4-small", "Nvidia T4 - small", 4, 15, 50, 0.40, "T4", 1, 16),
        _gpu("t4-medium", "Nvidia T4 - medium", 8, 30, 100, 0.60, "T4", 1, 16),
        _gpu("l4x1", "1x Nvidia L4", 8, 30, 400, 0.80, "L4", 1, 24),
        _gpu("l4x4", "4x Nvidia L4", 48, 186, 3200, 3.80, "L4", 4, 24),
        _gpu("l40sx1", "1x Nvidia L40S", 8, 62, 380, 1.80, "L40S", 1, 48),
        _gpu("l40sx4", "4x Nvidia L40S", 48, 382, 3200, 8.30, "L40S", 4, 48),
        _gpu("l40sx8", "8x Nvidia L40S", 192, 1534, 6500, 23.50, "L40S", 8, 48),
        _gpu("a10g-small", "Nvidia A10G - small", 4, 15, 110, 1.00, "A10G", 1, 24),
        _gpu("a10g-large", "Nvidia A10G - large", 12, 46, 200, 1.50, "A10G", 1, 24),
        _gpu("a10g-largex2", "2x Nvidia A10G - large", 24, 92, 1000, 3.00, "A10G", 2, 24),
        _gpu("a10g-largex4", "4x Nvidia A10G - large", 48, 184, 2000, 5.00, "A10G", 4, 24),
        _gpu("a100-large", "Nvidia A100 - large", 12, 142, 1000, 2.50, "A100", 1, 80),
        _gpu("a100x4", "4x Nvidia A100", 48, 568, 4000, 10.00, "A100", 4, 80),
        _gpu("a100x8", "8x Nvidia A100", 96, 1136, 8000, 20.00, "A100", 8, 80),
        _gpu("h200", "Nvidia H200", 23, 256, 3000, 5.00, "H200", 1, 141),
        _gpu("h200x2", "2x Nvidia H200", 46, 512, 6000, 10.00, "H200", 2, 141),
        _gpu("h200x4", "4x Nvidia H200", 92, 1024, 12000, 20.00, "H200", 4, 141),
        _gpu("h200x8", "8x Nvidia H200", 184, 2048, 24000, 40.00, "H200", 8, 141),
        _gpu("rtx-pro-6000", "Nvidia RTX PRO 6000", 23, 256, 475, 2.75, "RTX PRO 6000", 1, 96),
        _gpu("rtx-pro-6000x2", "2x Nvidia RTX PRO 6000", 46, 512, 950, 5.50, _RTX, 2, 96),
        _gpu("rtx-pro-6000x4", "4x Nvidia RTX PRO 6000", 92, 1024, 1900, 11.00, _RTX, 4, 96),
        _gpu("rtx-pro-6000x8", "8x Nvidia RTX PRO 6000", 184, 2048, 3800, 22.00, _RTX, 8, 96),
    )
}
