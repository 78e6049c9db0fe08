using Lifeline.Channels.Email;
using Lifeline.Channels.Tests.Support;

namespace Lifeline.Channels.Tests.Email;

public sealed class MimeTextTests
{
    [Fact]
    public void Quoted_printable_round_trips_and_keeps_lines_short()
    {
        var text = "Déjà vu = 100% \U0001F534 trailing space \n" + new string('x', 300) + "\nend\t";

        var encoded = MimeText.QuotedPrintable(text);

        encoded.Split("\r\n").ShouldAllBe(line => line.Length <= 76);
        encoded.ShouldNotContain(" \r\n");
        MimeReader.DecodeQuotedPrintable(encoded).ShouldBe(text.Replace("\n", "\r\n", StringComparison.Ordinal));
    }

    [Fact]
    public void Non_ASCII_headers_become_short_encoded_words_that_keep_every_character()
    {
        var subject = string.Concat(Enumerable.Repeat("Ünïcödé \U0001F534 ", 12));

        var encoded = MimeText.HeaderText(subject);

        encoded.Split("\r\n ").ShouldAllBe(word => word.Length <= 75 && word.StartsWith("=?utf-8?B?", StringComparison.Ordinal));
        MimeReader.DecodeWords(encoded).ShouldBe(subject.Trim());
    }

    [Fact]
    public void ASCII_headers_stay_readable() => MimeText.HeaderText("backup-db is DOWN").ShouldBe("backup-db is DOWN");

    [Fact]
    public void Line_breaks_in_header_text_become_spaces() =>
        MimeText.HeaderText("a\r\nBcc: x").ShouldBe("a  Bcc: x");

    [Fact]
    public void Lines_starting_with_a_dot_are_doubled_for_DATA() =>
        SmtpSession.DotStuff(".a\r\nb\n.c").ShouldBe("..a\r\nb\r\n..c\r\n");
}
