package lakepipe

/** Reads the seed job (jenkins/jobs/lakepipe.groovy) as text, for the values tests compare against. */
class SeedJob {
    static final String FILE = 'jenkins/jobs/lakepipe.groovy'

    static String pinnedLibraryVersion() {
        def match = new File(FILE).text =~ /LIBRARY_VERSION = '([^']+)'/
        assert match.find(): "${FILE} declares no LIBRARY_VERSION"
        return match.group(1)
    }
}
