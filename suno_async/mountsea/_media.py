"""mountsea's media: ``POST /suno/v2/image/generate``.

The standalone video generation is documented (``prompt``, ``video_gen_category``, ``duration``
5-30 s; 2 or 4 credits a second) but its path is not in any page this library was built from,
so there is no call for it: use :meth:`MountseaClient.request` with the path once known.
"""

from __future__ import annotations

from suno_async._core._handles import TaskHandle
from suno_async._core._models import TaskKind
from suno_async._core._validation import check_bool, check_text
from suno_async.mountsea import _constants as c
from suno_async.mountsea._audio_tools import _choice
from suno_async.mountsea._models import TaskSnapshot
from suno_async.mountsea._task_results import ImageResult, ToolsBase, image_result
from suno_async.mountsea._tool_models import ImageRequest

__all__ = ["MediaAPI"]


class MediaAPI(ToolsBase):
    """Images (video: see the module docstring)."""

    async def generate_image(
        self, prompt: str, *, category: str = "basic", resend_if_ambiguous: bool = False
    ) -> TaskHandle[TaskSnapshot, ImageResult]:
        """``POST /suno/v2/image/generate``: images from ``prompt`` (``category`` ``"basic"``,
        free, or ``"advanced"``, about 20 credits an image for two images: counted as 40).

        Raises:
            ConfigError: an empty prompt or an unknown category.
            CreditBudgetError: an advanced batch would pass ``max_credits``.
        """
        text = check_text("prompt", prompt, limit=None, required=True) or ""
        category = _choice("category", category, c.IMAGE_CATEGORIES)
        check_bool("resend_if_ambiguous", resend_if_ambiguous)
        body = ImageRequest(prompt=text, image_gen_category=category)
        return await self._submit(
            "image/generate",
            body,
            TaskKind.IMAGE,
            image_result,
            price_key=f"image/generate:{category}",
            resend_if_ambiguous=resend_if_ambiguous,
        )
