//! Colour arguments, checked the same way by every tool that takes one,
//! before Blender sees them: a short or NaN colour would otherwise fail
//! deep inside a snippet with an error that names no argument.

use super::ToolError;

/// Checks an [r, g, b] or [r, g, b, a] colour named `name`.
pub(crate) fn check(name: &str, value: &Option<Vec<f64>>) -> Result<(), ToolError> {
    match value {
        Some(c) if !(3..=4).contains(&c.len()) => Err(ToolError::new(format!(
            "{name} must be [r, g, b] or [r, g, b, a]; got {} numbers",
            c.len()
        ))),
        Some(c) if c.iter().any(|v| !v.is_finite() || *v < 0.0) => Err(ToolError::new(format!(
            "{name} components must be finite and not negative"
        ))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_or_four_finite_non_negative_numbers() {
        assert!(check("c", &None).is_ok());
        assert!(check("c", &Some(vec![1.0, 0.0, 0.0])).is_ok());
        assert!(check("c", &Some(vec![1.0, 0.0, 0.0, 0.5])).is_ok());
        assert!(check("c", &Some(vec![1.0, 0.0])).is_err());
        assert!(check("c", &Some(vec![1.0, f64::NAN, 0.0])).is_err());
        assert!(check("c", &Some(vec![-0.1, 0.0, 0.0])).is_err());
    }
}
