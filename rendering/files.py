from dataclasses import dataclass

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


@dataclass(frozen=True)
class ExportFile:
    """A file made for download: its name (whose extension gives the content type) and bytes."""

    filename: str
    content: bytes

    @property
    def extension(self) -> str:
        return self.filename.rsplit(".", 1)[-1]

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.extension]
