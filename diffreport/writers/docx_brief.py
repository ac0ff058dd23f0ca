"""The Word briefing (first version): summary, targets, structure, priorities."""

from __future__ import annotations

import io

from ..compare import Comparison
from ..report import block_changes


def render(c: Comparison) -> bytes:
    from docx import Document
    from docx.shared import RGBColor

    doc = Document()
    doc.add_heading(f"{c.old.title} → {c.new.title}", level=0)
    doc.add_paragraph(f"旧文件：{c.old.path}\n新文件：{c.new.path}")
    doc.add_heading("摘要", level=1)
    k = c.counts("block")
    doc.add_paragraph(
        f"共比对 {sum(k.values())} 组段落：延续未变 {k.get('unchanged', 0)}，调整 {k.get('changed', 0)}，"
        f"新增 {k.get('new', 0)}，删除 {k.get('dropped', 0)}。"
    )
    if c.targets:
        doc.add_heading("主要指标对比", level=1)
        table = doc.add_table(rows=1, cols=4)
        for cell, text in zip(table.rows[0].cells, ("指标", "原", "新", "变化"), strict=True):
            cell.text = text
        for t in c.targets:
            row = table.add_row().cells
            row[0].text = t.indicator
            row[1].text = t.old.text if t.old else "—"
            row[2].text = t.new.text if t.new else "—"
            row[3].text = t.change
    doc.add_heading("重点任务变化", level=1)
    for bc in block_changes(c):
        a = bc.alignment
        if a.status == "unchanged":
            continue
        doc.add_heading(f"{bc.old_title or '∅'} → {bc.new_title or '∅'}（{a.status}）", level=2)
        for m in bc.measures:
            p = doc.add_paragraph(style="List Bullet")
            if m.status == "changed" and m.diff:
                for op, text in m.diff:
                    run = p.add_run(text)
                    if op == "delete":
                        run.font.strike = True
                        run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
                    elif op == "insert":
                        run.font.underline = True
                        run.font.color.rgb = RGBColor(0x00, 0x00, 0xC0)
            else:
                p.add_run(f"{m.status}：{m.text}")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
