//! A real document for tests: a one-page PDF 1.4 with a line of text (Helvetica), its
//! cross-reference table at the byte offsets a reader checks, as a customer's price list
//! would come.

/// A one-page PDF showing `line` (PDF's standard Latin text: what isn't ASCII is a "?").
pub fn pdf(line: &str) -> Vec<u8> {
    let shown: String = line
        .chars()
        .map(|c| match c {
            '(' | ')' | '\\' => '?',
            c if c.is_ascii() && !c.is_ascii_control() => c,
            _ => '?',
        })
        .collect();
    let stream = format!("BT /F1 18 Tf 72 720 Td ({shown}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
         /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_string(),
        format!(
            "<< /Length {} >>\nstream\n{stream}\nendstream",
            stream.len()
        ),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (n, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", n + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// Whether `bytes` read as a PDF: its header, and a cross-reference table whose every
/// entry points at the object it names (what a reader checks first).
pub fn is_pdf(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    if !bytes.starts_with(b"%PDF-1.") || !text.trim_end().ends_with("%%EOF") {
        return false;
    }
    let Some(start) = text
        .rsplit_once("startxref\n")
        .and_then(|(_, tail)| tail.lines().next())
        .and_then(|n| n.trim().parse::<usize>().ok())
    else {
        return false;
    };
    if !bytes[start.min(bytes.len())..].starts_with(b"xref\n") {
        return false;
    }
    let entries = text[start..]
        .lines()
        .skip(3)
        .take_while(|l| l.ends_with(" n "));
    entries.enumerate().all(|(n, entry)| {
        entry
            .get(..10)
            .and_then(|n| n.parse::<usize>().ok())
            .is_some_and(|at| {
                bytes[at.min(bytes.len())..].starts_with(format!("{} 0 obj", n + 1).as_bytes())
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pdf_reads_as_one_and_a_damaged_one_does_not() {
        let pdf = pdf("Lista de precios: 20 €");
        assert!(is_pdf(&pdf));
        let mut shifted = pdf.clone();
        shifted.insert(20, b' ');
        assert!(
            !is_pdf(&shifted),
            "its offsets no longer point at its objects"
        );
        assert!(!is_pdf(b"%PDF-1.4 price list"));
    }
}
